/*
 * opttab: a linear search of a table of a dozen rows, as fast as anything
 * else at that size and with no order to keep; a comma list split in place.
 */
#include <string.h>

#include "opttab.h"
#include "textmatch.h"

static const struct opttab_name *
row(const struct opttab_name *first, size_t stride, size_t i)
{
	return (const struct opttab_name *)(const void *)((const char *)first + i * stride);
}

int
opttab_find_long(const struct opttab_name *first, size_t n, size_t stride, const char *arg,
    const char **value)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

	*value = eq != NULL ? eq + 1 : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *lng = row(first, stride, i)->lng;
		if (strncmp(lng, arg, len) == 0 && lng[len] == '\0')
			return (int)i;
	}
	return -1;
}

const char *
opttab_suggest_long(const struct opttab_name *first, size_t n, size_t stride, const char *arg)
{
	char name[TEXTMATCH_MAX];
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	const char *best = NULL;
	size_t best_d = 3;

	if (len < 3 || len >= sizeof(name))
		return NULL;
	memcpy(name, arg, len);
	name[len] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *lng = row(first, stride, i)->lng;
		size_t d = textmatch_distance(name, lng);

		if (d < best_d && 2 * d < len - 2) {
			best = lng;
			best_d = d;
		}
	}
	return best;
}

int
opttab_find_short(const struct opttab_name *first, size_t n, size_t stride, char c)
{
	if (c == '\0')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (row(first, stride, i)->shrt == c)
			return (int)i;
	return -1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

const char *
opttab_next_item(const char **p, size_t *len)
{
	const char *s = *p, *comma;

	while (is_blank(*s))
		s++;
	comma = strchr(s, ',');
	*len = comma != NULL ? (size_t)(comma - s) : strlen(s);
	while (*len > 0 && is_blank(s[*len - 1]))
		(*len)--;
	*p = comma != NULL ? comma + 1 : NULL;
	return s;
}
