// The on-screen keyboard and numeric keypad. Keys are touch-sized buttons drawn with the
// page's own widgets (so they record their labels for tests and follow the palette); a key
// edits the target field's buffer in place at its end, as a kiosk user expects, and then
// hands the caret back to the field so that a physical keyboard carries on from there.
#include "kiosk/ui/keyboard.hpp"

#include "kiosk/common/secret.hpp"
#include "kiosk/ui/widgets.hpp"

#include <algorithm>
#include <cstring>
#include <imgui.h>
#include <imgui_internal.h>

namespace kiosk::ui {
namespace {

// Row widths in key units: the widest rows (Russian) have 12 keys.
constexpr float kRowUnits = 12.0f;
constexpr float kWideKey = 1.5f;  // Shift, Backspace, the page and layout keys
constexpr float kEnterKey = 2.0f; // Next / Done
// Bytes Dear ImGui's copy of a field's initial text may take before it must grow. Growing
// frees the old copy without wiping it; reserving once (before any text is in it) means a
// password retyped key by key never leaves pieces of itself in freed memory.
constexpr int kReservedTextBytes = 1024;

bool is_latin(std::string_view layout) {
    return layout == "en" || layout == "pl";
}

bool pressed_by_pointer() {
    return ImGui::IsMouseReleased(ImGuiMouseButton_Left) ||
           ImGui::IsMouseDown(ImGuiMouseButton_Left);
}

void reserve_imgui_text_state() {
    ImGuiContext* context = ImGui::GetCurrentContext();
    if (context == nullptr) {
        return;
    }
    ImVector<char>& initial = context->InputTextState.InitialTextA;
    if (initial.Capacity < kReservedTextBytes) {
        if (initial.Data != nullptr) {
            secure_wipe(initial.Data, static_cast<std::size_t>(initial.Capacity));
        }
        initial.reserve(kReservedTextBytes);
    }
}

// What `key` types with AltGr in `pairs` ("aą cć …"), or an empty view.
std::string_view altgr_of(std::string_view pairs, std::string_view key) {
    for (const auto pair : split_keys(pairs)) {
        if (pair.substr(0, key.size()) == key && pair.size() > key.size()) {
            return pair.substr(key.size());
        }
    }
    return {};
}

} // namespace

KeypadPress numeric_keypad(const Widgets& ui, const std::string& erase, const std::string& ok,
                           bool enabled, float key_height) {
    // Digits keep the telephone layout in every language (keypads are not mirrored); Erase
    // and OK change places in a right-to-left language, as the row's reading order does.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float available = ImGui::GetContentRegionAvail().x;
    const float pad_width = std::min(available, ImGui::GetFontSize() * 16.0f);
    const float key = (pad_width - 2 * spacing) / 3.0f;
    const float indent = (available - pad_width) * 0.5f;
    const bool rtl = ui.right_to_left();
    const std::string* last_row[3] = {rtl ? &ok : &erase, nullptr, rtl ? &erase : &ok};
    KeypadPress press;
    for (int row = 0; row < 4; ++row) {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
        for (int col = 0; col < 3; ++col) {
            if (col > 0) {
                ImGui::SameLine(0.0f, spacing);
            }
            const char digit = row < 3 ? static_cast<char>('1' + row * 3 + col) : '0';
            const std::string* special = row == 3 ? last_row[col] : nullptr;
            const std::string label = special != nullptr ? *special : std::string(1, digit);
            ImGui::PushID(row * 3 + col);
            if (special == &erase) {
                ImGui::PushButtonRepeat(true); // held down, it keeps erasing
            }
            const bool pressed =
                ui.key_button(label, special == &ok, key, key_height, enabled && !label.empty());
            if (special == &erase) {
                ImGui::PopButtonRepeat();
            }
            ImGui::PopID();
            if (!pressed) {
                continue;
            }
            if (special == &ok) {
                press = {KeypadPress::Ok, 0};
            } else if (special == &erase) {
                press = {KeypadPress::Erase, 0};
            } else {
                press = {KeypadPress::Digit, digit};
            }
        }
    }
    return press;
}

void OnScreenKeyboard::begin_frame(std::string_view language, KeyboardLabels labels) {
    if (language != language_) {
        language_ = std::string(language);
        layout_ = -1; // the new language's own layout first
    }
    labels_ = std::move(labels);
    fields_.clear();
    changed_ = false;
}

bool OnScreenKeyboard::field_drawn(unsigned id, char* buffer, std::size_t size,
                                   const TextFieldOptions& options, bool active) {
    if (!options.on_screen_keyboard || buffer == nullptr || size == 0) {
        return false;
    }
    fields_.push_back({id, buffer, size, options.digits_only, options.latin, options.enabled});
    if (refocus_ == id) {
        refocus_ = 0; // asked for this frame; Dear ImGui gives it the caret next frame
    }
    if (active && target_ != id) {
        // Tab, Enter or a touch moved the caret here: the keys follow it. Shift was meant
        // for the other field.
        target_ = id;
        shift_ = shift_ == Shift::Locked ? Shift::Locked : Shift::Off;
        altgr_ = false;
    }
    if (entered_ == id) {
        entered_ = 0;
        return options.enabled;
    }
    return false;
}

void OnScreenKeyboard::reset() {
    fields_.clear();
    target_ = refocus_ = caret_ = entered_ = return_caret_to_ = 0;
    layout_ = -1;
    shift_ = Shift::Off;
    altgr_ = false;
    symbols_ = false;
}

const OnScreenKeyboard::Field* OnScreenKeyboard::target() const {
    for (const auto& field : fields_) {
        if (field.id == target_) {
            return &field;
        }
    }
    return fields_.empty() ? nullptr : &fields_.front();
}

std::vector<std::string_view> OnScreenKeyboard::cycle(const Field& field) const {
    // The field's first layout, then the person's own, then the others in table order.
    const std::string_view own = keyboard_layout(language_).id;
    std::vector<std::string_view> ids;
    // Usernames and e-mail addresses are Latin whatever the person's language.
    if (field.latin && !is_latin(own)) {
        ids.push_back("en");
    }
    ids.push_back(own);
    for (const auto& layout : keyboard_layouts()) {
        if (std::find(ids.begin(), ids.end(), layout.id) == ids.end()) {
            ids.push_back(layout.id);
        }
    }
    return ids;
}

const KeyboardLayout& OnScreenKeyboard::current(const Field& field) const {
    const auto ids = cycle(field);
    if (layout_ >= 0 && static_cast<std::size_t>(layout_) < ids.size()) {
        return keyboard_layout(ids[static_cast<std::size_t>(layout_)]);
    }
    return keyboard_layout(ids.front());
}

std::string_view OnScreenKeyboard::layout_id() const {
    const Field* field = target();
    return field != nullptr ? current(*field).id : keyboard_layout(language_).id;
}

OnScreenKeyboard::Geometry OnScreenKeyboard::geometry(int rows) {
    const float font = ImGui::GetFontSize();
    const float screen = ImGui::GetMainViewport()->WorkSize.y;
    const float gap = std::max(4.0f, font * 0.18f);
    // At least 48 pixels at 1080 lines; larger with the font (large text), but the keys
    // never take much more than 40 % of the screen, so the page above keeps room. 1.25
    // fonts leaves the letter a little air and lets the new-password page in large text
    // keep its buttons above the keys at 1280x800.
    const float key_height =
        std::max(48.0f * screen / 1080.0f,
                 std::min(font * 1.25f, screen * 0.4f / static_cast<float>(rows) - gap));
    return {key_height, gap, static_cast<float>(rows) * (key_height + gap) + gap};
}

float OnScreenKeyboard::reserved_height() const {
    return rows_ == 0 ? 0.0f : geometry(rows_).height;
}

void OnScreenKeyboard::draw(const Widgets& ui, float left, float width) {
    const Field* target_field = target();
    const int rows = target_field == nullptr ? 0 : target_field->digits_only ? 4 : 5;
    if (rows != rows_) {
        rows_ = rows; // the page reserves this much from the next frame on
        changed_ = true;
    }
    if (target_field == nullptr) {
        return;
    }
    const Field field = *target_field;
    target_ = field.id;
    const Geometry g = geometry(rows);
    // Docked at the bottom of the screen, under the page's column, which is shorter by this
    // much (Widgets::begin_page): the keys are never scrolled away or cut off.
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetCursorScreenPos(ImVec2(left, viewport->WorkPos.y + viewport->WorkSize.y - g.height));
    ImGui::BeginChild("keyboard", ImVec2(width, g.height), false,
                      ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollbar |
                          ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(g.gap, g.gap));
    // Keys are lower than a button's text and padding: no vertical padding keeps the label
    // centred.
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(g.gap, 0.0f));
    // Keys are no Tab stops: Tab keeps going from field to button as before. Arrow keys
    // still reach every key.
    ImGui::PushAllowKeyboardFocus(false);
    if (field.digits_only) {
        draw_keypad(ui, field, g.key_height);
    } else {
        unit_ = (ImGui::GetContentRegionAvail().x + g.gap) / kRowUnits;
        draw_letters(ui, field, g.key_height);
    }
    ImGui::PopAllowKeyboardFocus();
    ImGui::PopStyleVar(2);
    ImGui::EndChild();
    // Once the finger is off the key (a held Backspace repeats until then), the caret goes
    // back to the field.
    if (return_caret_to_ != 0 && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        reserve_imgui_text_state();
        refocus_ = caret_ = return_caret_to_;
        return_caret_to_ = 0;
    }
}

void OnScreenKeyboard::draw_keypad(const Widgets& ui, const Field& field, float key_height) {
    const auto press =
        numeric_keypad(ui, labels_.backspace, labels_.done, field.enabled, key_height);
    switch (press.key) {
    case KeypadPress::None:
        return;
    case KeypadPress::Digit:
        type(field, std::string_view(&press.digit, 1));
        break;
    case KeypadPress::Erase:
        erase(field);
        break;
    case KeypadPress::Ok:
        enter(field);
        return;
    }
    give_back_caret(field);
}

bool OnScreenKeyboard::key(const Widgets& ui, std::string_view label, float units, bool highlighted,
                           bool enabled) {
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    return ui.key_button(std::string(label), highlighted, units * unit_ - gap, key_height_,
                         enabled);
}

void OnScreenKeyboard::draw_letters(const Widgets& ui, const Field& field, float key_height) {
    key_height_ = key_height;
    const KeyboardLayout& layout = current(field);
    const bool has_case = !layout.upper[0].empty();
    const bool upper = has_case && shift_ != Shift::Off;
    const bool altgr = altgr_ && !layout.altgr_lower.empty() && !symbols_;
    const bool on = field.enabled;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float width = ImGui::GetContentRegionAvail().x;
    const float start_x = ImGui::GetCursorPosX();
    // Starts a row of `units` key units, centred.
    const auto row_start = [&](float units) {
        ImGui::SetCursorPosX(start_x + std::max(0.0f, (width - (units * unit_ - gap)) * 0.5f));
    };
    // A row of character keys; returns the text of the key pressed, or an empty view.
    const auto char_row = [&](const std::vector<std::string_view>& keys, bool first_on_line) {
        std::string_view typed;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i > 0 || !first_on_line) {
                ImGui::SameLine();
            }
            std::string_view text = keys[i];
            if (altgr) {
                const auto alt = altgr_of(upper ? layout.altgr_upper : layout.altgr_lower, text);
                text = alt.empty() ? text : alt;
            }
            ImGui::PushID(static_cast<int>(i));
            if (key(ui, text, 1.0f, false, on)) {
                typed = text;
            }
            ImGui::PopID();
        }
        return typed;
    };

    std::string_view typed;
    // Shift (unless locked) and AltGr apply to the next key typed only.
    // Row 0: digits (the same on both pages, so a code or year is typed without switching).
    {
        const auto& table = upper ? layout.upper : layout.lower;
        const auto keys = split_keys(table[0]);
        row_start(static_cast<float>(keys.size()));
        ImGui::PushID("digits");
        if (const auto t = char_row(keys, true); !t.empty()) {
            typed = t;
        }
        ImGui::PopID();
    }
    // Rows 1-3: letters or symbols.
    for (int row = 1; row <= 3; ++row) {
        std::vector<std::string_view> keys = split_keys(
            symbols_ ? symbol_rows()[static_cast<std::size_t>(row - 1)]
                     : (upper ? layout.upper : layout.lower)[static_cast<std::size_t>(row)]);
        const bool shift_key = row == 3 && !symbols_ && has_case;
        const bool erase_key = row == 3;
        const float units = static_cast<float>(keys.size()) + (shift_key ? kWideKey : 0.0f) +
                            (erase_key ? kWideKey : 0.0f);
        row_start(units);
        ImGui::PushID(row);
        bool first = true;
        if (shift_key) {
            const std::string& label = shift_ == Shift::Locked ? labels_.caps_lock : labels_.shift;
            if (key(ui, label, kWideKey, shift_ != Shift::Off, on)) {
                shift_ = shift_ == Shift::Off    ? Shift::Once
                         : shift_ == Shift::Once ? Shift::Locked
                                                 : Shift::Off;
            }
            first = false;
        }
        if (const auto t = char_row(keys, first); !t.empty()) {
            typed = t;
        }
        if (erase_key) {
            ImGui::SameLine();
            ImGui::PushButtonRepeat(true); // held down, it keeps erasing
            if (key(ui, labels_.backspace, kWideKey, false, on)) {
                erase(field);
                give_back_caret(field);
            }
            ImGui::PopButtonRepeat();
        }
        ImGui::PopID();
    }
    // Row 4: page, layout, AltGr, two punctuation keys around the space bar, Enter.
    {
        ImGui::PushID("bottom");
        const bool has_altgr = !layout.altgr_lower.empty() && !symbols_;
        const std::string_view left = symbols_ ? "@" : layout.bottom_left;
        const std::string_view right = symbols_ ? "." : layout.bottom_right;
        const float fixed = kWideKey * (has_altgr ? 3.0f : 2.0f) + 2.0f + kEnterKey;
        row_start(kRowUnits);
        if (key(ui, symbols_ ? layout.letters_label : std::string_view(labels_.symbols), kWideKey,
                symbols_, on)) {
            symbols_ = !symbols_;
            altgr_ = false;
        }
        ImGui::SameLine();
        const auto ids = cycle(field);
        std::size_t index = 0;
        while (index < ids.size() && ids[index] != layout.id) {
            ++index;
        }
        const std::size_t next = (index + 1) % ids.size();
        if (key(ui, keyboard_layout(ids[next]).switch_label, kWideKey, false, on)) {
            layout_ = static_cast<int>(next);
            altgr_ = false;
            symbols_ = false;
        }
        if (has_altgr) {
            ImGui::SameLine();
            if (key(ui, layout.altgr_label, kWideKey, altgr_, on)) {
                altgr_ = !altgr_;
            }
        }
        ImGui::SameLine();
        if (key(ui, left, 1.0f, false, on)) {
            typed = left;
        }
        ImGui::SameLine();
        if (key(ui, labels_.space, kRowUnits - fixed, false, on)) {
            typed = " ";
        }
        ImGui::SameLine();
        if (key(ui, right, 1.0f, false, on)) {
            typed = right;
        }
        ImGui::SameLine();
        const bool last = field.id == fields_.back().id;
        if (key(ui, last ? labels_.done : labels_.next, kEnterKey, true, on)) {
            enter(field);
        }
        ImGui::PopID();
    }
    if (!typed.empty()) {
        type(field, typed);
        altgr_ = false;
        if (shift_ == Shift::Once) {
            shift_ = Shift::Off;
        }
        give_back_caret(field);
    }
}

void OnScreenKeyboard::type(const Field& field, std::string_view text) {
    if (field.digits_only && (text.size() != 1 || text[0] < '0' || text[0] > '9')) {
        return;
    }
    const std::size_t length = ::strnlen(field.buffer, field.size);
    if (length + text.size() + 1 > field.size) {
        return; // full: the key does nothing, as a full field does with a physical keyboard
    }
    std::memcpy(field.buffer + length, text.data(), text.size());
    field.buffer[length + text.size()] = '\0';
}

void OnScreenKeyboard::erase(const Field& field) {
    std::size_t length = ::strnlen(field.buffer, field.size);
    if (length == 0) {
        return;
    }
    // The whole last character: a Cyrillic, Hebrew or Polish letter is two bytes.
    std::size_t start = length - 1;
    while (start > 0 && (static_cast<unsigned char>(field.buffer[start]) & 0xC0) == 0x80) {
        --start;
    }
    std::memset(field.buffer + start, 0, length - start);
}

void OnScreenKeyboard::enter(const Field& field) {
    entered_ = field.id;
}

void OnScreenKeyboard::give_back_caret(const Field& field) {
    target_ = field.id;
    if (pressed_by_pointer()) {
        // A person using the arrow keys on the keys keeps their place instead.
        return_caret_to_ = field.id;
    }
}

} // namespace kiosk::ui
