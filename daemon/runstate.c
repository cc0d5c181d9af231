/* runstate.c - the daemon's pid file and lock (see runstate.h). */
#include "hark/runstate.h"
#include "hark/error.h"
#include "hark/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

struct hark_runstate {
	int fd;
	char *path;
};

char *hark_runstate_path(const char *database)
{
	char *abs = g_canonicalize_filename(database, NULL);
	char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, abs, -1);
	char *path;

	sum[16] = '\0';
	path = g_strdup_printf("%s/hark/hark-%s.pid", g_get_user_runtime_dir(), sum);
	g_free(sum);
	g_free(abs);
	return path;
}

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

struct hark_runstate *hark_runstate_acquire(const char *database, pid_t *holder,
					    GError **err)
{
	char *path = hark_runstate_path(database);
	char *dir = g_path_get_dirname(path);
	char pid[32];
	int fd, len;

	*holder = 0;
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "cannot create %s: %s", dir, g_strerror(errno));
		goto fail;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "cannot open %s: %s", path, g_strerror(errno));
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		if (e == EWOULDBLOCK) {
			*holder = read_pid(fd);
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "hark is already running on %s (pid %ld, %s)",
				    database, (long)*holder, path);
		} else {
			g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
				    "cannot lock %s: %s", path, g_strerror(e));
		}
		close(fd);
		goto fail;
	}
	len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, len, 0) != len) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "cannot write %s: %s", path, g_strerror(errno));
		close(fd);
		goto fail;
	}
	g_free(dir);
	struct hark_runstate *rs = g_new0(struct hark_runstate, 1);
	rs->fd = fd;
	rs->path = path;
	return rs;
fail:
	g_free(dir);
	g_free(path);
	return NULL;
}

void hark_runstate_release(struct hark_runstate *rs)
{
	if (!rs)
		return;
	/* The file stays: unlinking it would let a daemon that opened it
	 * just before lock an orphan that status cannot see.  Unlocked, it
	 * reads as "not running". */
	close(rs->fd);
	g_free(rs->path);
	g_free(rs);
}

bool hark_runstate_probe(const char *database, pid_t *pid)
{
	char *path = hark_runstate_path(database);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool running = false;

	*pid = 0;
	g_free(path);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		running = errno == EWOULDBLOCK;
		if (running)
			*pid = read_pid(fd);
	}
	close(fd);
	return running;
}

#define LAST_CYCLE_KEY "last_cycle_end"

void hark_runstate_cycle_done(struct hark_store *st, int64_t now)
{
	char v[24];
	GError *e = NULL;

	snprintf(v, sizeof v, "%lld", (long long)now);
	if (!hark_store_meta_set(st, LAST_CYCLE_KEY, v, &e)) {
		hark_warn("%s", e->message);
		g_error_free(e);
	}
}

bool hark_runstate_last_cycle(struct hark_store *st, int64_t *when, GError **err)
{
	char *v;

	*when = 0;
	if (!hark_store_meta_get(st, LAST_CYCLE_KEY, &v, err))
		return false;
	if (v)
		*when = g_ascii_strtoll(v, NULL, 10);
	g_free(v);
	return true;
}
