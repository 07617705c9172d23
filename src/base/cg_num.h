/* cg_num — numbers as text. */
#ifndef CG_NUM_H
#define CG_NUM_H

#include <stddef.h>

/* The shortest decimal form of `v` that reads back as the same double
 * ("9.8", not "9.8000000000000007"), like JavaScript and Python print
 * numbers. Infinity and NaN, which JSON cannot carry, give "null". Returns
 * the length written into buf (n of at least 32 holds any double). */
size_t cg_num_shortest(double v, char *buf, size_t n);

#endif
