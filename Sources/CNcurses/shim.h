// ncursesw for Swift: the library's macros and globals as static inline functions.
// Only Sources/Explorer/Terminal.swift imports this module.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#undef lines
#undef columns

static inline WINDOW *scl_stdscr(void) { return stdscr; }
static inline int scl_lines(void) { return LINES; }
static inline int scl_cols(void) { return COLS; }
static inline int scl_colors(void) { return COLORS; }
static inline int scl_color_pairs(void) { return COLOR_PAIRS; }

static inline attr_t scl_a_normal(void) { return A_NORMAL; }
static inline attr_t scl_a_bold(void) { return A_BOLD; }
static inline attr_t scl_a_reverse(void) { return A_REVERSE; }
static inline attr_t scl_a_underline(void) { return A_UNDERLINE; }
static inline attr_t scl_a_dim(void) { return A_DIM; }

static inline mmask_t scl_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t scl_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t scl_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t scl_button1_double_clicked(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline mmask_t scl_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t scl_button5_pressed(void) {
#ifdef BUTTON5_PRESSED
    return BUTTON5_PRESSED;
#else
    return 0;
#endif
}

/// Puts one cell (up to 4 wide chars: a base and combining marks) at (y, x) with attributes and an
/// extended colour pair. Returns ERR/OK like curses.
static inline int scl_put_cell(int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t c;
    int p = pair;
    if (setcchar(&c, wch, attrs, 0, &p) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &c);
}

/// Number of colours terminfo reports (`tigetnum("colors")`), or -1 when unknown.
static inline int scl_terminfo_colors(void) {
    int n = tigetnum("colors");
    return n;
}
