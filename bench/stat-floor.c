/*
 * The floor of the `stat` freshness level: stat(2) of every path in a cache's `checks` section,
 * from C, no Node. Used to state what the default level cannot go below (README, Benchmarks).
 *
 *   python3 -c 'import json,sys; f=open(sys.argv[1]+"/.epindex/entry-points.v3.jsonl","rb"); h=f.readline(); s=json.loads(h)["sections"]["checks"]; f.seek(len(h)+s[0]); print("\n".join(sys.argv[1]+"/"+p for p in json.loads(f.read(s[1]))["paths"]))' DIR > paths.txt
 *   gcc -O2 -o stat-floor bench/stat-floor.c && ./stat-floor paths.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "r"); static char buf[200000][300]; int n = 0;
  while (n < 200000 && fgets(buf[n], 300, f)) { buf[n][strcspn(buf[n], "\n")] = 0; n++; }
  struct timespec a, b; struct stat st; long ok = 0;
  for (int round = 0; round < 5; round++) {
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) ok += stat(buf[i], &st) == 0;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    printf("%d stats: %.1f ms, %.2f us each\n", n, ms, ms * 1000 / n);
  }
  return ok == 0;
}
