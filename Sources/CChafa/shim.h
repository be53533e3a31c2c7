// libchafa for Swift. Only Sources/Explorer/PictureRasterizer.swift imports this module.
#include <chafa.h>

/// Frees a GString returned by chafa (g_string_free is a macro on some glib versions).
static inline void scl_gstring_free(GString *s) { g_string_free(s, TRUE); }
