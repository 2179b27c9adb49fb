/* conf_grow.c — doubling growth for the arrays of conformance/ (conf_grow.h). */
#include "conformance/conf_grow.h"

#include <stdlib.h>

int conf_grow_(void **arr, uint32_t *cap, size_t elem)
{
	uint32_t nc = *cap ? *cap * 2 : 16;
	if (nc < *cap || (size_t)nc > SIZE_MAX / elem)
		return -1;
	void *p = realloc(*arr, (size_t)nc * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}
