/*
 * codeset: a bit per code, the code's letters read as a number base 26.
 */
#include <string.h>

#include "codeset.h"

/* The code's bit, or -1 when it is not three letters A-Z. */
static int
bit_of(const char *code)
{
	for (int i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return -1;
	if (code[3] != '\0')
		return -1;
	return (code[0] - 'A') * 676 + (code[1] - 'A') * 26 + (code[2] - 'A');
}

void
codeset_clear(struct codeset *s)
{
	memset(s, 0, sizeof(*s));
}

int
codeset_add(struct codeset *s, const char *code)
{
	int b = bit_of(code);

	if (b < 0)
		return -1;
	if (s->bits[b / 8] & (1u << (b % 8)))
		return 0;
	s->bits[b / 8] |= (unsigned char)(1u << (b % 8));
	s->n++;
	return 1;
}

size_t
codeset_list(const struct codeset *s, char *out, size_t outlen)
{
	static const char more[] = ", ...";
	size_t used = 0, written = 0;

	out[0] = '\0';
	for (int b = 0; b < CODESET_BITS && written < s->n; b++) {
		if (!(s->bits[b / 8] & (1u << (b % 8))))
			continue;
		size_t sep = written > 0 ? 2 : 0;
		/* Room for this code, and for ", ..." should a later one not fit. */
		size_t need = used + sep + 3 + (written + 1 < s->n ? sizeof(more) - 1 : 0) + 1;
		if (need > outlen) {
			if (used + sizeof(more) <= outlen)
				memcpy(out + used, more, sizeof(more));
			return written;
		}
		if (sep > 0) {
			memcpy(out + used, ", ", 2);
			used += 2;
		}
		out[used++] = (char)('A' + b / 676);
		out[used++] = (char)('A' + b / 26 % 26);
		out[used++] = (char)('A' + b % 26);
		out[used] = '\0';
		written++;
	}
	return written;
}
