// Touch-sized building blocks the screens are made of. Each draws at the cursor, inside
// the current page column, and returns whether the user acted on it this frame.
#pragma once

#include "kiosk/ui/theme.hpp"

#include <cstddef>
#include <string>

namespace kiosk::ui {

// Starts the full-screen page with the brand bar on top and a centred column below;
// always pair with end_page().
void begin_page(const char* id, const Fonts& fonts, const std::string& brand);
void end_page();

void headline(const Fonts& fonts, const std::string& text);
void title(const Fonts& fonts, const std::string& text);
void paragraph(const std::string& text);
void muted(const std::string& text);
// A box in the notice colours for something the user can fix on this screen.
void notice_box(const std::string& text);
void vertical_space(float lines);

bool primary_button(const std::string& label, bool enabled = true);
bool secondary_button(const std::string& label, bool enabled = true);

struct TextFieldOptions {
    bool secret = false;      // drawn as dots, no undo history kept
    bool digits_only = false; // numeric codes
    bool take_focus = false;  // put the keyboard caret here this frame
    bool enabled = true;
};
// A labelled single-line field over `buffer`; returns true when Enter was pressed in it.
bool text_field(const char* id, const std::string& label, char* buffer, std::size_t size,
                const TextFieldOptions& options);

// A rotating arc with `label` beside it, for requests under way.
void busy_indicator(const std::string& label);

} // namespace kiosk::ui
