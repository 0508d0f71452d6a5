# Turns a file into a C array, at build time, with CMake alone (no xxd):
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -DHEADER=header.h
#         [-DHASH_HEADER=hash.h] -P embed.cmake
# OUT defines  const unsigned char NAME[]  (NUL-terminated, for safety in C
# string functions) and  const size_t NAME_len  (the file's length, NUL
# excluded), declared in HEADER.  With HASH_HEADER, the file is HTML and
# HASH_HEADER defines NAME_SCRIPT_HASH as the CSP source "'sha256-...'" of the
# text of its one inline <script> element, so a Content-Security-Policy can
# allow that script and no other.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 16 line)  # CMake's regex has no {16}
string(REGEX REPLACE "(${line})" "\\1\n\t" bytes "${bytes}")

# Writes text to path only when it changed, so an unchanged input rebuilds nothing.
function(write_if_changed path text)
  file(WRITE "${path}.tmp" "${text}")
  file(COPY_FILE "${path}.tmp" "${path}" ONLY_IF_DIFFERENT)
  file(REMOVE "${path}.tmp")
endfunction()

string(CONCAT c_text
  "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n\n"
  "#include \"${HEADER}\"\n\n"
  "const unsigned char ${NAME}[] = {\n\t${bytes}0x00\n};\n"
  "const size_t ${NAME}_len = ${len};\n")
write_if_changed("${OUT}" "${c_text}")

if(HASH_HEADER)
  # The script's text is the bytes between "<script>" and "</script>", as
  # the browser hashes them (CSP Level 2, "hash-source").  Every use of the
  # page's text is quoted, so no ';' or '\' in it is taken by CMake.
  file(READ "${IN}" text)
  string(FIND "${text}" "<script>" open_at)
  string(FIND "${text}" "</script>" close_at)
  if(open_at EQUAL -1 OR close_at EQUAL -1 OR NOT open_at LESS close_at)
    message(FATAL_ERROR "${IN}: no <script>...</script> element to hash")
  endif()
  math(EXPR from "${open_at} + 8")
  math(EXPR count "${close_at} - ${from}")
  string(SUBSTRING "${text}" ${from} ${count} script)
  string(SHA256 digest "${script}")
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
  string(TOUPPER "${NAME}" upper)
  string(CONCAT h_text
    "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
    "#define ${upper}_SCRIPT_HASH \"'sha256-${b64}='\"\n")
  write_if_changed("${HASH_HEADER}" "${h_text}")
endif()
