/* runstate.h - is a daemon running on this database?
 *
 * `hark run` holds an exclusive flock on a pid file named after its
 * database: $XDG_RUNTIME_DIR/hark/hark-HASH.pid, HASH being the first 16
 * hex digits of the SHA-256 of the database's absolute path (GLib's user
 * runtime directory when XDG_RUNTIME_DIR is unset).  The kernel drops
 * the lock when the process dies, so a stale file left by kill -9 reads
 * as "not running".
 */
#ifndef HARK_RUNSTATE_H
#define HARK_RUNSTATE_H

#include "hark/store.h"

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

struct hark_runstate;

/* The pid file of DATABASE (caller frees). */
char *hark_runstate_path(const char *database);

/* Takes the lock and writes our pid.  Returns NULL with ERR when another
 * process holds it (HARK_ERROR_USER; *HOLDER gets its pid, or 0 when
 * unknown) or the file cannot be written (HARK_ERROR_RUNTIME). */
struct hark_runstate *hark_runstate_acquire(const char *database, pid_t *holder,
					    GError **err);
/* Drops the lock (the file stays, unlocked: "not running").  NULL is a no-op. */
void hark_runstate_release(struct hark_runstate *rs);

/* Whether a process holds the lock of DATABASE; *PID gets its pid (0 when
 * none or unreadable). */
bool hark_runstate_probe(const char *database, pid_t *pid);

/* The engine went idle at NOW: every due poll has ended.  Recorded in the
 * store's meta table; a failure is logged, not fatal. */
void hark_runstate_cycle_done(struct hark_store *st, int64_t now);
/* When the last cycle ended (0: never). */
bool hark_runstate_last_cycle(struct hark_store *st, int64_t *when, GError **err);

#endif
