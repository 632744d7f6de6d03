if(NOT SYM)
  set(SYM platform_stub_image)
endif()
file(WRITE ${OUT} "  .section .rodata\n  .global ${SYM}\n  .global ${SYM}_end\n  .p2align 4\n${SYM}:\n  .incbin \"${STUB}\"\n${SYM}_end:\n  .section .note.GNU-stack,\"\",@progbits\n")
