# Turns a file into a C array, at build time, with CMake alone (no xxd):
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -DHEADER=header.h -P embed.cmake
# defines  const unsigned char NAME[]  (NUL-terminated, for safety in C string
# functions) and  const size_t NAME_len  (the file's length, NUL excluded).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n\t" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n\n"
  "#include \"${HEADER}\"\n\n"
  "const unsigned char ${NAME}[] = {\n\t${bytes}0x00\n};\n"
  "const size_t ${NAME}_len = ${len};\n")
# Only a changed file is rewritten, so an unchanged page rebuilds nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
