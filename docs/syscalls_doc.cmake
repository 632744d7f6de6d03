# docs/syscalls.md is the output of `runsc syscalls --format markdown`.
#
#   cmake -DRUNSC=<runsc> -DOUT=<file> -P syscalls_doc.cmake
#       writes the document to OUT (the build does this: build/docs/syscalls.md)
#   ... -DCOMMITTED=<repo>/docs/syscalls.md -DMODE=check
#       fails, with a diff, when the committed copy is not current
#   ... -DCOMMITTED=<repo>/docs/syscalls.md -DMODE=update
#       refreshes the committed copy (target update_syscalls_doc)

foreach(var RUNSC OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "syscalls_doc.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(
  COMMAND "${RUNSC}" syscalls --format markdown
  OUTPUT_VARIABLE doc
  ERROR_VARIABLE err
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`${RUNSC} syscalls --format markdown` failed (${rc}): ${err}")
endif()

# Rewrite only on change, so that what depends on the file is not rebuilt.
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL doc)
  file(WRITE "${OUT}" "${doc}")
endif()

if(NOT DEFINED MODE OR MODE STREQUAL "")
  return()
endif()
if(NOT DEFINED COMMITTED)
  message(FATAL_ERROR "syscalls_doc.cmake: MODE=${MODE} needs -DCOMMITTED=...")
endif()

if(MODE STREQUAL "update")
  set(committed "")
  if(EXISTS "${COMMITTED}")
    file(READ "${COMMITTED}" committed)
  endif()
  if(committed STREQUAL doc)
    message(STATUS "${COMMITTED} is already current")
  else()
    file(WRITE "${COMMITTED}" "${doc}")
    message(STATUS "Refreshed ${COMMITTED}: commit it")
  endif()
elseif(MODE STREQUAL "check")
  if(NOT EXISTS "${COMMITTED}")
    message(FATAL_ERROR "${COMMITTED} does not exist. Create it with:\n"
      "  cmake --build <build-dir> --target update_syscalls_doc")
  endif()
  file(READ "${COMMITTED}" committed)
  if(NOT committed STREQUAL doc)
    find_program(DIFF diff)
    if(DIFF)
      execute_process(COMMAND "${DIFF}" -u "${COMMITTED}" "${OUT}")
    endif()
    message(FATAL_ERROR
      "docs/syscalls.md is out of date: the syscall tables changed since it was "
      "generated (diff above: committed copy -> what `runsc syscalls --format "
      "markdown` prints now). Refresh it and commit it:\n"
      "  cmake --build <build-dir> --target update_syscalls_doc\n"
      "  git add docs/syscalls.md")
  endif()
  message(STATUS "${COMMITTED} is current")
else()
  message(FATAL_ERROR "syscalls_doc.cmake: unknown MODE=${MODE} (check or update)")
endif()
