/* builtin:fetchurl: downloads one file with libcurl, as Nix 2.8's fetchurl
 * builtin does for <nix/fetchurl.nix>.
 *
 * The derivation must be fixed-output (one output "out" with a hash). Its
 * environment:
 *
 *     url          the URL: http(s)://, ftp(s):// or file:// (required,
 *                  unless urls is given)
 *     urls         (firn) URLs separated by whitespace, tried in order
 *                  when url is not set
 *     executable   "1": the file gets mode 0755 instead of 0644
 *     unpack       "1": the download is a NAR (decompressed with xz first
 *                  when the URL ends in ".xz"), restored at the output
 *
 * Redirects are followed (up to 10; never to file://). An HTTP status of
 * 400 or more fails with "unable to download 'URL': HTTP error N". Transient
 * failures (no connection, name resolution, timeouts, HTTP 5xx, 408, 429)
 * are retried FIRN_FETCH_RETRIES times (default 5) after waiting
 * FIRN_FETCH_BACKOFF_MS (default 250) milliseconds, doubled each time.
 * Progress ("downloading 'URL'... N MiB") goes to ctx->log_fd at most once a
 * second, and as events (queued, started, bytes so far at most every 200 ms,
 * done or failed, with Content-Length when the server sends it) to
 * ctx->event_fd (build-log.h's progress_download_send), which the scheduler
 * shows in its live line, plain log or JSON.
 *
 * The declared hash is the caller's to check (build-derivation.c), except
 * that with several urls each but the last is checked here (flat hashes,
 * and NAR sha256 with unpack), so a wrong file lets the next URL be tried;
 * that error says "hash mismatch in file downloaded from 'URL'" with both
 * hashes (SRI). A URL that fails is reported on ctx->log_fd before the
 * next is tried.
 *
 * Returns 0, or a negative errno and a malloc'ed message in *ret_error;
 * on failure nothing is left at the output's path. */
#pragma once

#include "builtin-builders.h"

int builtin_fetchurl(const BuiltinContext *ctx, char **ret_error);
