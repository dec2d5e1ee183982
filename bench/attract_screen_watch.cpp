// Watches the X screen and reports the moment an attract screen is on it: what a person in
// front of the kiosk sees, measured the same way for any program that draws it (the kiosk,
// or the web page in Chromium that bench/kiosk-vs-chromium.sh compares it with). A program's
// own "I drew my first frame" marker can come before its pixels reach the screen.
//
// Usage: attract_screen_watch HEADER BUTTON PAGE   (colours as RRGGBB)
// Prints "ready" once it watches and no attract screen shows (the previous run's may still
// be going away), then, when the screen shows the attract screen, the
// CLOCK_REALTIME time in microseconds (the clock of bash's $EPOCHREALTIME), and exits 0.
//
// "Shows the attract screen" is judged on two thin strips, cheap enough to read after every
// change: the column down the middle of the screen starts in the header colour, crosses the
// button colour (the "Touch to start" button) and ends on the page colour; the row through
// the header's text has white pixels (the title is drawn, so the fonts are loaded). It is
// event-driven (XDamage on the root window), so it takes no CPU from the program it watches
// while nothing changes.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xdamage.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

struct Colour {
    int red = 0;
    int green = 0;
    int blue = 0;
};

bool parse_colour(std::string_view hex, Colour& colour) {
    if (hex.size() != 6) {
        return false;
    }
    char* end = nullptr;
    const std::string text(hex);
    const long value = std::strtol(text.c_str(), &end, 16);
    if (end != text.c_str() + 6) {
        return false;
    }
    colour = {static_cast<int>((value >> 16) & 0xff), static_cast<int>((value >> 8) & 0xff),
              static_cast<int>(value & 0xff)};
    return true;
}

// Anti-aliasing and the two renderers' colour handling differ by a few levels.
constexpr int tolerance = 12;

bool near(const Colour& a, const Colour& b) {
    return std::abs(a.red - b.red) <= tolerance && std::abs(a.green - b.green) <= tolerance &&
           std::abs(a.blue - b.blue) <= tolerance;
}

struct ImageDeleter {
    void operator()(XImage* image) const { XDestroyImage(image); }
};
using Image = std::unique_ptr<XImage, ImageDeleter>;

Colour pixel(XImage* image, int x, int y) {
    const unsigned long value = XGetPixel(image, x, y);
    auto channel = [value](unsigned long mask) {
        int shift = 0;
        while (mask != 0 && (mask & 1) == 0) {
            mask >>= 1;
            ++shift;
        }
        return static_cast<int>((value >> shift) & mask);
    };
    return {channel(image->red_mask), channel(image->green_mask), channel(image->blue_mask)};
}

// Whether rows [from, to) of a one-pixel-wide column are all near `colour`.
bool column_is(XImage* column, int from, int to, const Colour& colour) {
    for (int y = from; y < to; ++y) {
        if (!near(pixel(column, 0, y), colour)) {
            return false;
        }
    }
    return true;
}

struct Expected {
    Colour header;
    Colour button;
    Colour page;
};

bool shows_attract_screen(Display* display, Window root, int width, int height,
                          const Expected& expected) {
    const Image column(XGetImage(display, root, width / 2, 0, 1, static_cast<unsigned>(height),
                                 AllPlanes, ZPixmap));
    if (!column) {
        return false;
    }
    // Header: the top 3 % of the column. Page: 94–97 % of the way down (Chromium leaves the
    // screen's last row black). Button: a run of at least 1.5 % of the height in the middle
    // half of the screen (the column may cross its label).
    if (!column_is(column.get(), 0, height * 3 / 100, expected.header) ||
        !column_is(column.get(), height * 94 / 100, height * 97 / 100, expected.page)) {
        return false;
    }
    int run = 0;
    int longest_run = 0;
    for (int y = height / 4; y < height * 3 / 4; ++y) {
        run = near(pixel(column.get(), 0, y), expected.button) ? run + 1 : 0;
        longest_run = std::max(longest_run, run);
    }
    if (longest_run < height * 15 / 1000) {
        return false;
    }
    // The header's text: both renderings put the title's letters across 4 % of the height.
    const Image row(XGetImage(display, root, 0, height * 4 / 100, static_cast<unsigned>(width), 1,
                              AllPlanes, ZPixmap));
    if (!row) {
        return false;
    }
    constexpr Colour white{255, 255, 255};
    int white_pixels = 0;
    for (int x = 0; x < width; ++x) {
        white_pixels += near(pixel(row.get(), x, 0), white) ? 1 : 0;
    }
    return white_pixels >= 10;
}

long long realtime_microseconds() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

int main(int argc, char** argv) {
    Expected expected;
    if (argc != 4 || !parse_colour(argv[1], expected.header) ||
        !parse_colour(argv[2], expected.button) || !parse_colour(argv[3], expected.page)) {
        std::fprintf(stderr, "usage: attract_screen_watch HEADER BUTTON PAGE (RRGGBB each)\n");
        return 2;
    }
    Display* display = XOpenDisplay(nullptr);
    if (display == nullptr) {
        std::fprintf(stderr, "attract_screen_watch: cannot open the X display\n");
        return 2;
    }
    int damage_event = 0;
    int damage_error = 0;
    if (!XDamageQueryExtension(display, &damage_event, &damage_error)) {
        std::fprintf(stderr, "attract_screen_watch: the X server has no DAMAGE extension\n");
        return 2;
    }
    const Window root = DefaultRootWindow(display);
    const int width = DisplayWidth(display, DefaultScreen(display));
    const int height = DisplayHeight(display, DefaultScreen(display));
    const Damage damage = XDamageCreate(display, root, XDamageReportNonEmpty);
    const auto next_change = [&] {
        for (;;) {
            XEvent event;
            XNextEvent(display, &event);
            if (event.type == damage_event + XDamageNotify) {
                // Taking the damage re-arms the report: a change during a check is not missed.
                XDamageSubtract(display, damage, None, None);
                return;
            }
        }
    };
    // The previous run's window may still be going away.
    while (shows_attract_screen(display, root, width, height, expected)) {
        next_change();
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
        next_change();
        if (shows_attract_screen(display, root, width, height, expected)) {
            std::printf("%lld\n", realtime_microseconds());
            std::fflush(stdout);
            XCloseDisplay(display);
            return 0;
        }
    }
}
