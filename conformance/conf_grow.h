/*
 * conf_grow.h — room for one more element in a growing array (capacity
 * doubles from 16), for the decoder's and the key set's arrays:
 *
 *   if (CONF_GROW(c->msg, c->n_msg, c->cap_msg) < 0) return -1;
 *   c->msg[c->n_msg++] = ...;
 *
 * On failure the array and its capacity are left as they were.
 */
#ifndef VPNLAB_CONF_GROW_H
#define VPNLAB_CONF_GROW_H

#include <stddef.h>
#include <stdint.h>

/* conf_grow_ reallocates *|arr| (of |elem|-octet elements) to twice *|cap|; 0 or -1. */
int conf_grow_(void **arr, uint32_t *cap, size_t elem);

#define CONF_GROW(arr, n, cap) ((n) < (cap) ? 0 : conf_grow_((void **)&(arr), &(cap), sizeof *(arr)))

#endif
