/* Marks for bench/cpu.py --instructions: zero the counters before a page's requests, dump them after. */
#include <valgrind/callgrind.h>
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
