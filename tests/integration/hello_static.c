/* A statically linked test program, built twice: as a classic static
 * executable (ET_EXEC, -static -no-pie) and as a static PIE (ET_DYN with no
 * interpreter, -static-pie). It prints what the loader gave it, so that a
 * native and a sandboxed run can be compared line by line.
 *
 * An argument of the form --exit=N makes it exit with status N. */
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

/* Defined by the linker: this executable's own ELF header. */
extern const ElfW(Ehdr) __ehdr_start;

int main(int argc, char** argv) {
  int code = 0;
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) {
    printf("argv[%d]=%s\n", i, argv[i]);
    if (strncmp(argv[i], "--exit=", 7) == 0) code = atoi(argv[i] + 7);
  }
  const char* v = getenv("HELLO_VAR");
  printf("HELLO_VAR=%s\n", v != NULL ? v : "(unset)");
  printf("AT_RANDOM=%s\n", getauxval(AT_RANDOM) != 0 ? "present" : "missing");
  printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
  printf("AT_BASE=%s\n", getauxval(AT_BASE) != 0 ? "nonzero" : "zero");
  printf("AT_ENTRY=%s\n", getauxval(AT_ENTRY) != 0 ? "nonzero" : "zero");
  printf("elf_type=%s\n", __ehdr_start.e_type == ET_EXEC  ? "ET_EXEC"
                          : __ehdr_start.e_type == ET_DYN ? "ET_DYN"
                                                          : "other");
  fflush(stdout);
  fprintf(stderr, "hello_static: this line goes to stderr\n");
  return code;
}
