// On-screen keyboards (English, Polish, Russian, Hebrew, a symbols page) and the numeric
// keypad, drawn under the text fields of a page. They type into the fields' own buffers, the
// same ones a physical keyboard fills, and keep nothing of what was typed.
#pragma once

#include "kiosk/assets/keyboard_layouts.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::ui {

class Widgets;
struct TextFieldOptions;

// The layouts themselves are data shared with the password strength estimate
// (kiosk/assets/keyboard_layouts.hpp).
using assets::keyboard_layout;
using assets::keyboard_layouts;
using assets::KeyboardLayout;
using assets::split_keys;
using assets::symbol_rows;

// What the keyboards say on their function keys, in the person's language.
struct KeyboardLabels {
    std::string shift = "Shift";
    std::string caps_lock = "Caps Lock";
    std::string backspace = "\xE2\x86\x90"; // U+2190
    std::string space = "Space";
    std::string symbols = "?123";
    std::string next = "Next"; // Enter when another field follows
    std::string done = "Done"; // Enter on the last field
};

// Which key of a numeric keypad was pressed this frame.
struct KeypadPress {
    enum Key { None, Digit, Erase, Ok } key = None;
    char digit = 0; // '0'..'9' when key == Digit
};

// A telephone-order keypad (1 2 3 on top, 0 at the bottom) `key_height` high per row,
// centred in the column: the digits are never mirrored; in a right-to-left language Erase
// and OK change sides. Shared by the code field and maintenance mode's PIN pad.
KeypadPress numeric_keypad(const Widgets& ui, const std::string& erase, const std::string& ok,
                           bool enabled, float key_height);

// The keyboard of a page. Widgets::text_field registers each field it draws; Widgets::end_page
// draws the keyboard (or, for a digits-only field, the keypad) for the field the person is
// typing in, at the bottom of the page. A key types into that field's buffer directly and
// gives the field the caret back, so a physical keyboard carries on where the touch left off.
//
// It holds only which field is the target, the layout, Shift and the page: never a typed
// character (no history, no preview), so there is nothing of a password to wipe here.
class OnScreenKeyboard {
public:
    // Call once a frame before the page is drawn: the person's language (its layout comes
    // first when the layout key is pressed) and the function keys' labels.
    void begin_frame(std::string_view language, KeyboardLabels labels);

    // For Widgets::text_field, before the field with ImGui ID `id` is drawn: whether it
    // should take the caret (a key was just pressed for it).
    [[nodiscard]] bool wants_focus(unsigned id) const { return id != 0 && id == refocus_; }
    // Whether its caret should go to the end of its text this frame (after a key typed at
    // the end); cleared by caret_moved().
    [[nodiscard]] bool wants_caret_at_end(unsigned id) const { return id != 0 && id == caret_; }
    void caret_moved() { caret_ = 0; }
    // After the field is drawn. Returns true when the on-screen Enter was pressed for it.
    bool field_drawn(unsigned id, char* buffer, std::size_t size, const TextFieldOptions& options,
                     bool active);

    // How much of the bottom of the screen the page leaves free for the keys: what the
    // keyboard took last frame. Call in the page's window, before its column.
    [[nodiscard]] float reserved_height() const;
    // Draws the keyboard of the target field docked at the bottom of the screen, `width`
    // wide from `left`, if any field was drawn this frame. Call in the page's window.
    void draw(const Widgets& ui, float left, float width);
    // Whether this frame's keyboard differs in height from last frame's: the page will be
    // laid out anew next frame.
    [[nodiscard]] bool settling() const { return changed_; }

    // Back to the first layout, letters, Shift off, no target: for a new screen or person.
    void reset();

    // For tests and the docs: the layout shown now.
    [[nodiscard]] std::string_view layout_id() const;
    [[nodiscard]] bool shift() const { return shift_ != Shift::Off; }
    [[nodiscard]] bool caps_lock() const { return shift_ == Shift::Locked; }

private:
    struct Field {
        unsigned id = 0;
        char* buffer = nullptr; // the screen's own buffer: text is never copied here
        std::size_t size = 0;
        bool digits_only = false;
        bool latin = false;
        bool enabled = true;
    };
    enum class Shift { Off, Once, Locked };
    struct Geometry {
        float key_height;
        float gap;
        float height; // of the whole keyboard
    };
    [[nodiscard]] static Geometry geometry(int rows);

    [[nodiscard]] const Field* target() const;
    // Layout ids in the order the layout key goes through them.
    [[nodiscard]] std::vector<std::string_view> cycle(const Field& field) const;
    [[nodiscard]] const KeyboardLayout& current(const Field& field) const;
    void draw_letters(const Widgets& ui, const Field& field, float key_height);
    void draw_keypad(const Widgets& ui, const Field& field, float key_height);
    // A key `units` wide; returns whether it was pressed by touch or by keyboard.
    bool key(const Widgets& ui, std::string_view label, float units, bool highlighted,
             bool enabled);
    void type(const Field& field, std::string_view text);
    void erase(const Field& field);
    void enter(const Field& field);
    void give_back_caret(const Field& field);

    std::string language_;
    KeyboardLabels labels_;
    std::vector<Field> fields_; // this frame's, in drawing order
    unsigned target_ = 0;       // the field typed into: the last one active or touched
    unsigned refocus_ = 0;      // give this field the caret next frame
    unsigned caret_ = 0;        // and put its caret at the end
    unsigned entered_ = 0;      // the on-screen Enter was pressed for this field
    int layout_ = -1;           // index into cycle(); -1: the field's default
    Shift shift_ = Shift::Off;
    bool altgr_ = false;
    bool symbols_ = false;
    unsigned return_caret_to_ = 0; // once the finger is off the key
    float unit_ = 0;               // this frame's width of one key unit
    float key_height_ = 0;
    int rows_ = 0;         // rows of keys drawn last frame (0: none)
    bool changed_ = false; // rows_ changed this frame
};

} // namespace kiosk::ui
