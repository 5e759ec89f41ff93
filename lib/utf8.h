/* UTF-8 for the whole project (utf8.c): what counts as valid, cleaning any bytes into valid
 * text, decoding. Every byte of outside input that must become text goes through here, so the
 * rules exist once: a valid sequence is 1-4 bytes with no overlong form, no surrogate and
 * nothing past U+10FFFF; cleaning replaces each byte that does not start one, and each NUL (a C
 * string cannot hold it), with U+FFFD, as CommonMark does.
 * Private to the project, shared with the front ends (searchd/ cleans JSON strings with it). */
#ifndef OFSI_UTF8_H
#define OFSI_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid sequence at s (1-4), or 0 when the bytes there are not one (a stray
 * continuation byte, a truncated or overlong sequence, a surrogate, past U+10FFFF). NUL is a
 * valid one-byte sequence here. */
size_t ofsi_utf8_len(const unsigned char *s, size_t n);

/* Decodes the valid sequence at s into *cp; returns its length, or 0 (and *cp = U+FFFD) when
 * the bytes there are not one. */
size_t ofsi_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Bytes at the start of s[0..n) that are valid UTF-8, NUL included: n when all of them are. */
size_t ofsi_utf8_valid_prefix(const char *s, size_t n);

/* Whether s[0..n) is valid UTF-8 without NUL: text a C string holds whole, which
 * ofsi_utf8_clean copies unchanged. */
int ofsi_utf8_valid(const char *s, size_t n);

/* How many bytes of s[0..n) to keep to shorten it to at most max bytes without splitting a
 * character: n when n <= max, else max backed off past the continuation bytes there. */
size_t ofsi_utf8_cut(const char *s, size_t n, size_t max);

/* A malloc'd, NUL-terminated copy of s[0..n) with each NUL and each byte that does not start a
 * valid sequence replaced by U+FFFD; *outlen (may be NULL) gets its length. */
char *ofsi_utf8_clean(const char *s, size_t n, size_t *outlen);

#endif
