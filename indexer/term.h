/* Terminal helpers for the CLI: whether a stream is a terminal, and a one-line progress bar. */
#ifndef OFS_TERM_H
#define OFS_TERM_H

#include <stdio.h>

/* 1 when f is a terminal and NO_COLOR is not set. */
int term_is_tty(FILE *f);

/* Redraws a progress line on stderr: a bar, files, MB, MB/s and ETA. */
void term_progress(long files_done, long files_total, double bytes_done, double bytes_total,
                   double seconds);
/* Ends the progress line (clears it). */
void term_progress_end(void);

#endif
