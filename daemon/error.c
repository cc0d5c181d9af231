#include "hark/error.h"

G_DEFINE_QUARK(hark-error-quark, hark_error)
