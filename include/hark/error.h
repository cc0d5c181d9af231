/* error.h - the GError domain shared by hark's modules.
 *
 * Library functions never print and never exit: they return false (or NULL)
 * and fill a GError.  The code tells the CLI which exit status to use.
 */
#ifndef HARK_ERROR_H
#define HARK_ERROR_H

#include <glib.h>

#define HARK_ERROR (hark_error_quark())
GQuark hark_error_quark(void);

enum hark_error_code {
	HARK_ERROR_USER,     /* bad config, bad input: exit 1 */
	HARK_ERROR_RUNTIME,  /* I/O, network, database: exit 2 */
};

/* CLI exit codes. */
#define HARK_EXIT_OK 0
#define HARK_EXIT_USER 1
#define HARK_EXIT_RUNTIME 2

#endif
