// Touch-sized building blocks the screens are made of, drawn in the person's language's
// direction. Each draws at the cursor, inside the current page column, and returns whether
// the user acted on it this frame. In a right-to-left language every text is reordered to
// visual order (FriBidi) after its placeholders were filled in, lines are right-aligned,
// and everything with a left or right side is mirrored: the brand, notice stripes, check
// boxes, the spinner, and rows of buttons (forward sits on the left, back on the right).
#pragma once

#include "kiosk/ui/qr.hpp"
#include "kiosk/ui/theme.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::ui {

class OnScreenKeyboard;

struct TextFieldOptions {
    bool secret = false;      // drawn as dots, no undo history kept
    bool digits_only = false; // numeric codes
    bool take_focus = false;  // put the keyboard caret here this frame
    bool enabled = true;
    // The on-screen keyboard (or, for digits only, the keypad) types into this field when
    // the page has one (see OnScreenKeyboard).
    bool on_screen_keyboard = true;
    bool latin = false; // usernames, e-mail: the keyboard opens on a Latin layout
};

// A control drawn this frame, by its label (logical order) and screen rectangle: what a
// person can press, for tests that press by label and for spoken guidance later.
struct Control {
    std::string label;
    float left = 0, top = 0, right = 0, bottom = 0;
};

// A text field whose text the widgets drew themselves this frame (right-to-left languages,
// not secret): what a person sees in it, for tests.
struct FieldView {
    std::string id;                      // the field's ImGui id string
    std::string shown;                   // its glyphs left to right (UTF-8)
    float text_left = 0, text_right = 0; // where the text was drawn (screen x)
    float field_left = 0, field_right = 0;
    float field_top = 0, field_bottom = 0;
    bool caret = false; // the field is being edited: the caret is drawn at caret_x
    float caret_x = 0;
};

// [checklist] One line of a live checklist: a drawn tick or cross (never a glyph the font
// may lack), or no mark for what is checked later.
enum class Mark { Tick, Cross, Pending };
struct CheckLine {
    std::string text;
    Mark mark = Mark::Cross;
};

// Which button of a row was pressed this frame.
enum class RowPress { None, Forward, Back };

class Widgets {
public:
    // `controls`, when given, receives every button and check box drawn. `fit`, when
    // given, is the page's text scale, kept between frames: a page whose content was
    // taller than the screen last frame is drawn smaller until it fits, so nothing is cut
    // off in a long language or in large text.
    // `keyboard`, when given, gets every text field drawn and is drawn at the bottom of the
    // page by end_page(). `fields`, when given, receives the fields drawn in visual order.
    Widgets(Fonts fonts, Palette palette, bool right_to_left,
            std::vector<Control>* controls = nullptr, float* fit = nullptr,
            OnScreenKeyboard* keyboard = nullptr, std::vector<FieldView>* fields = nullptr)
        : fonts_(fonts), palette_(palette), rtl_(right_to_left), controls_(controls), fit_(fit),
          keyboard_(keyboard), fields_(fields) {}

    [[nodiscard]] bool right_to_left() const { return rtl_; }
    [[nodiscard]] const Fonts& fonts() const { return fonts_; }
    [[nodiscard]] const Palette& colours() const { return palette_; }

    // Starts the full-screen page with the brand bar on top and a centred column below;
    // always pair with end_page().
    void begin_page(const char* id, const std::string& brand) const;
    void end_page() const;

    void headline(const std::string& text) const;
    void title(const std::string& text, unsigned colour = 0) const; // 0: the text colour
    void paragraph(const std::string& text) const;
    void muted(const std::string& text) const;
    // A box in the notice colours for something the user can fix on this screen.
    void notice_box(const std::string& text) const;
    void vertical_space(float lines) const;

    bool primary_button(const std::string& label, bool enabled = true) const;
    bool secondary_button(const std::string& label, bool enabled = true) const;
    // A key of an on-screen keyboard or keypad: `width` by `height` at the cursor, filled
    // when `primary`.
    bool key_button(const std::string& label, bool primary, float width, float height,
                    bool enabled) const;
    // Forward (primary) and back (secondary) side by side, in reading order: back first.
    RowPress button_row(const std::string& forward, const std::string& back, bool enabled) const;
    // A row of equal buttons, the `selected` one filled; returns the index pressed or -1.
    // In a right-to-left language the first one sits on the right.
    int choice_row(const char* id, const std::vector<std::string>& labels, int selected) const;
    // A check box with its label; returns true when it was toggled this frame.
    bool toggle(const char* id, const std::string& label, bool value) const;
    // A check box with its label at the end of the line (the left in a right-to-left
    // language), and how wide that is: for a toggle beside a title.
    bool toggle_at_end(const char* id, const std::string& label, bool value) const;
    [[nodiscard]] float toggle_width(const std::string& label) const;
    // Check boxes side by side in equal slots, the first at the line's start; returns the
    // index toggled this frame or -1.
    int toggle_row(const char* id, const std::vector<std::string>& labels,
                   const std::vector<bool>& values) const;

    // A labelled single-line field over `buffer`; returns true when Enter was pressed in
    // it. The label follows the language's direction ("": none, the caller drew it). Dear ImGui
    // edits the buffer in logical order and knows no bidi, so in a right-to-left language the
    // widgets draw the field's text themselves, in visual order, right-aligned, with the caret
    // where a reader of the language expects it (Dear ImGui's own text is drawn transparent
    // underneath, so typing, badge readers and the on-screen keyboard are unchanged). Free text is
    // laid out as a right-to-left paragraph, `.latin` identifiers as a left-to-right one (an e-mail
    // address reads as written); secret fields stay masked dots.
    bool text_field(const char* id, const std::string& label, char* buffer, std::size_t size,
                    const TextFieldOptions& options) const;

    // [checklist] `lines` in small text, two to a row (a line too wide takes the row), each
    // with its mark at the line's start side; mirrored in a right-to-left language.
    void check_lines(const std::vector<CheckLine>& lines) const;
    // [checklist] A bar of `levels` segments, the first `filled` in `colour`, growing from the
    // line's start side, with `label` after it in small text, within `width` (0: the rest
    // of the line) from the cursor.
    void strength_meter(const std::string& label, int filled, int levels, unsigned colour,
                        float width = 0) const;

    // A rotating arc with `label` beside it, for requests under way.
    void busy_indicator(const std::string& label) const;

    // `payload` as a QR code `side` pixels square (quiet zone included) at the line's start,
    // with `caption` wrapped beside it. Modules are whole pixels on a pixel grid, one filled
    // rectangle per run of dark modules, so the code stays sharp at any size. Draws nothing
    // and returns false when the payload does not fit a QR code.
    bool qr_code(const std::string& payload, float side, const std::string& caption) const;
    // The same from a matrix encoded once by the caller: for a payload that is a secret (an
    // otpauth:// URI), which must not be copied into a new buffer on every frame. Never
    // mirrored: in a right-to-left language only its place moves to the right.
    void qr_code(const QrMatrix& matrix, float side, const std::string& caption) const;

    // One line of Latin text drawn straight from `text` in `font` (nullptr: the body font),
    // aligned to the language's side: no copy, no reordering. For secrets shown to be typed
    // elsewhere (an authenticator's key), whose bytes must stay in the caller's buffer.
    void secret_line(std::string_view text, ImFont* font) const;

    // A label (muted) over its value: one line of a summary such as the account status.
    void field(const std::string& label, const std::string& value) const;

    // `text` (logical order) in visual order for this language's direction.
    [[nodiscard]] std::string visual(const std::string& text) const;

private:
    // Wrapped lines of `text` in `font`, within `width`, each in visual order and aligned
    // to the language's side, as one item at the cursor.
    void text_block(const std::string& text, ImFont* font, unsigned colour, float width) const;
    bool button(const std::string& label, bool enabled, bool primary, float width,
                float height = 0) const; // 0: the standard height
    // A check box aligned to the start side of a slot `width` wide at the cursor.
    bool toggle_in(const char* id, const std::string& label, bool value, float width) const;
    void record(const std::string& label) const; // the last item, as a Control
    // The text of the field just drawn (the last item), in visual order over Dear ImGui's
    // transparent one.
    void draw_field_text(const char* id, unsigned item, const char* buffer, bool latin) const;

    Fonts fonts_;
    Palette palette_;
    bool rtl_;
    std::vector<Control>* controls_;
    float* fit_;
    OnScreenKeyboard* keyboard_;
    std::vector<FieldView>* fields_;
};

} // namespace kiosk::ui
