# Turns a file into a C array, at build time, with CMake alone (no xxd):
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -DHEADER=header.h
#         [-DHASH_HEADER=hash.h] -P embed.cmake
# OUT defines  const unsigned char NAME[]  (NUL-terminated, for safety in C
# string functions) and  const size_t NAME_len  (the file's length, NUL
# excluded), declared in HEADER.  With HASH_HEADER, the file is HTML and
# HASH_HEADER defines NAME_SCRIPT_HASH and NAME_STYLE_HASH as the CSP sources
# "'sha256-...'" of the text of its one inline <script> and <style> elements,
# so a Content-Security-Policy can allow those and nothing else.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 16 line)  # CMake's regex has no {16}
string(REGEX REPLACE "(${line})" "\\1\n\t" bytes "${bytes}")

string(CONCAT c_text
  "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n\n"
  "#include \"${HEADER}\"\n\n"
  "const unsigned char ${NAME}[] = {\n\t${bytes}0x00\n};\n"
  "const size_t ${NAME}_len = ${len};\n")
# Written even when unchanged: an output older than its input would make the
# build run this script again every time.
file(WRITE "${OUT}" "${c_text}")

# The CSP source "'sha256-...'" of the text of the one <tag> element of the
# page: the bytes between "<tag>" and "</tag>", as the browser hashes them
# (CSP Level 2, "hash-source").  Every use of the page's text is quoted, so no
# ';' or '\' in it is taken by CMake.
function(csp_hash text tag out)
  string(FIND "${text}" "<${tag}>" open_at)
  string(FIND "${text}" "</${tag}>" close_at)
  if(open_at EQUAL -1 OR close_at EQUAL -1 OR NOT open_at LESS close_at)
    message(FATAL_ERROR "${IN}: no <${tag}>...</${tag}> element to hash")
  endif()
  string(LENGTH "<${tag}>" open_len)
  math(EXPR from "${open_at} + ${open_len}")
  math(EXPR count "${close_at} - ${from}")
  string(SUBSTRING "${text}" ${from} ${count} element)
  string(SHA256 digest "${element}")
  # Hex digest -> base64, 3 bytes (6 hex digits) at a time.
  set(alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  set(b64 "")
  string(APPEND digest "00")  # 32 bytes + 1 zero byte = 11 groups of 3
  foreach(i RANGE 0 10)
    math(EXPR at "${i} * 6")
    string(SUBSTRING "${digest}" ${at} 6 group)
    math(EXPR v "0x${group}")
    foreach(shift 18 12 6 0)
      math(EXPR idx "(${v} >> ${shift}) & 63")
      string(SUBSTRING "${alphabet}" ${idx} 1 c)
      string(APPEND b64 "${c}")
    endforeach()
  endforeach()
  string(SUBSTRING "${b64}" 0 43 b64)
  set(${out} "'sha256-${b64}='" PARENT_SCOPE)
endfunction()

if(HASH_HEADER)
  file(READ "${IN}" text)
  csp_hash("${text}" script script_hash)
  csp_hash("${text}" style style_hash)
  string(TOUPPER "${NAME}" upper)
  string(CONCAT h_text
    "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
    "#define ${upper}_SCRIPT_HASH \"${script_hash}\"\n"
    "#define ${upper}_STYLE_HASH \"${style_hash}\"\n")
  file(WRITE "${HASH_HEADER}" "${h_text}")
endif()
