/* Terminal helpers: TTY detection and the progress bar the indexer draws on stderr. */
#include "term.h"

#include <stdlib.h>
#include <unistd.h>

int term_is_tty(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(f)) && !(nc && *nc);
}

void term_progress(long files_done, long files_total, double bytes_done, double bytes_total,
                   double seconds)
{
    const int width = 24;
    double frac = bytes_total > 0 ? bytes_done / bytes_total : 0;
    if (frac > 1)
        frac = 1;
    int fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[width] = '\0';
    double mbs = seconds > 0 ? bytes_done / 1e6 / seconds : 0;
    double eta = mbs > 0 ? (bytes_total - bytes_done) / 1e6 / mbs : 0;
    fprintf(stderr, "\r[%s] %ld/%ld files  %.1f/%.1f MB  %.1f MB/s  ETA %.0fs \033[K", bar,
            files_done, files_total, bytes_done / 1e6, bytes_total / 1e6, mbs, eta);
    fflush(stderr);
}

void term_progress_end(void)
{
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
}
