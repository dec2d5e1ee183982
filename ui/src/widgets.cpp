// Widget implementations on top of Dear ImGui. Layout is one centred column whose width
// follows the screen, so every screen lines up without per-screen geometry. Text is broken
// into lines in logical order first and each line reordered afterwards, as the Unicode
// bidirectional algorithm prescribes; Dear ImGui then draws each line's glyphs left to right.
#include "kiosk/ui/widgets.hpp"

#include "kiosk/assets/bidi.hpp"
#include "kiosk/ui/keyboard.hpp"
#include "kiosk/ui/qr.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <imgui.h>
#include <imgui_internal.h> // the edited field's caret and selection (ImGuiInputTextState)

namespace kiosk::ui {
namespace {

// Below this a page scrolls instead: smaller text would defeat large-text mode.
constexpr float kSmallestFit = 0.7f;

float button_height() {
    return ImGui::GetFontSize() * 2.4f;
}

// Bytes in the UTF-8 sequence that starts with `lead`.
std::size_t utf8_length(char lead) {
    const auto byte = static_cast<unsigned char>(lead);
    return byte < 0x80 ? 1 : (byte & 0xE0) == 0xC0 ? 2 : (byte & 0xF0) == 0xE0 ? 3 : 4;
}

// `text` broken into lines no wider than `width` in the current font, in logical order.
std::vector<std::string> wrap_lines(const std::string& text, float width) {
    ImFont* font = ImGui::GetFont();
    const float scale = ImGui::GetFontSize() / font->FontSize;
    std::vector<std::string> lines;
    const char* s = text.data();
    const char* const end = s + text.size();
    while (s < end) {
        const auto* newline =
            static_cast<const char*>(std::memchr(s, '\n', static_cast<std::size_t>(end - s)));
        const char* line_end = newline != nullptr ? newline : end;
        if (s == line_end) {
            lines.emplace_back();
        }
        while (s < line_end) {
            const char* wrap = font->CalcWordWrapPositionA(scale, s, line_end, width);
            if (wrap <= s) { // one word wider than the column: break inside it
                wrap = std::min(s + utf8_length(*s), line_end);
            }
            const char* trimmed = wrap;
            while (trimmed > s && trimmed[-1] == ' ') {
                --trimmed;
            }
            lines.emplace_back(s, trimmed);
            s = wrap;
            while (s < line_end && *s == ' ') {
                ++s;
            }
        }
        s = line_end < end ? line_end + 1 : end;
    }
    return lines;
}

} // namespace

void Widgets::record(const std::string& label) const {
    if (controls_ != nullptr) {
        const ImVec2 min = ImGui::GetItemRectMin();
        const ImVec2 max = ImGui::GetItemRectMax();
        controls_->push_back({label, min.x, min.y, max.x, max.y});
    }
}

std::string Widgets::visual(const std::string& text) const {
    // Left-to-right languages go through FriBidi too: an identifier typed in Hebrew inside
    // an English sentence still reads right.
    return assets::visual_order(text, rtl_);
}

void Widgets::text_block(const std::string& text, ImFont* font, unsigned colour,
                         float width) const {
    if (font != nullptr) {
        ImGui::PushFont(font);
    }
    ImFont* current = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    const ImU32 col = colour != 0 ? colour : ImGui::GetColorU32(ImGuiCol_Text);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float y = origin.y;
    for (const auto& logical : wrap_lines(text, width)) {
        const std::string line = visual(logical);
        float x = origin.x;
        if (rtl_) {
            x += width - current->CalcTextSizeA(size, FLT_MAX, 0.0f, line.c_str()).x;
        }
        draw->AddText(current, size, ImVec2(x, y), col, line.c_str());
        y += size * 1.2f; // a little leading: easier to read at arm's length
    }
    ImGui::Dummy(ImVec2(width, std::max(y - origin.y - size * 0.2f, size)));
    if (font != nullptr) {
        ImGui::PopFont();
    }
}

bool Widgets::button(const std::string& label, bool enabled, bool primary, float width,
                     float height) const {
    if (!enabled) {
        ImGui::BeginDisabled();
    }
    const auto c = [](unsigned abgr) { return ImGui::ColorConvertU32ToFloat4(abgr); };
    if (primary) {
        ImGui::PushStyleColor(ImGuiCol_Text, c(palette_.on_primary));
    } else {
        ImGui::PushStyleColor(ImGuiCol_Button, c(palette_.secondary));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, c(palette_.secondary));
        ImGui::PushStyleColor(ImGuiCol_ButtonActive, c(palette_.border));
        ImGui::PushStyleColor(ImGuiCol_Text, c(palette_.primary));
        ImGui::PushStyleColor(ImGuiCol_Border, c(palette_.primary));
    }
    bool pressed =
        ImGui::Button(visual(label).c_str(), ImVec2(width, height > 0 ? height : button_height()));
    // Dear ImGui 1.86 activates a keyboard-focused button with Space only; a kiosk keyboard
    // user expects Enter to work too.
    if (ImGui::IsItemFocused() &&
        (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
         ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false))) {
        pressed = true;
    }
    record(label);
    ImGui::PopStyleColor(primary ? 1 : 5);
    if (!enabled) {
        ImGui::EndDisabled();
    }
    return pressed && enabled;
}

void Widgets::begin_page(const char* id, const std::string& brand) const {
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    ImGui::Begin(id, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     // The frame is cleared to this colour already: a second full-screen fill
                     // doubled llvmpipe's frame time at 1920x1080.
                     ImGuiWindowFlags_NoBackground);
    const float width = viewport->WorkSize.x;
    const float column = std::min(width * 0.86f, ImGui::GetFontSize() * 34.0f);
    const float margin = (width - column) * 0.5f;

    // The brand bar: the same on every screen, so people know where they are. It starts
    // where the language's lines start.
    const float bar_height = ImGui::GetFontSize() * 2.6f;
    const ImVec2 origin = viewport->WorkPos;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + bar_height), palette_.primary);
    ImGui::PushFont(fonts_.title);
    const float text_height = ImGui::GetFontSize();
    const std::string text = visual(brand);
    float x = origin.x + margin;
    if (rtl_) {
        x = origin.x + width - margin - ImGui::CalcTextSize(text.c_str()).x;
    }
    draw->AddText(ImVec2(x, origin.y + (bar_height - text_height) * 0.5f), palette_.on_primary,
                  text.c_str());
    ImGui::PopFont();

    // The on-screen keyboard, if the page has one, is docked below the column; while it is
    // up, the gap under the brand bar is smaller: the page needs the room.
    const float keyboard = keyboard_ != nullptr ? keyboard_->reserved_height() : 0.0f;
    const float top = bar_height + viewport->WorkSize.y * (keyboard > 0.0f ? 0.02f : 0.05f);
    ImGui::SetCursorPos(ImVec2(margin, top));
    ImGui::BeginChild("column", ImVec2(column, viewport->WorkSize.y - top - keyboard), false,
                      ImGuiWindowFlags_NoBackground);
    if (fit_ != nullptr) {
        ImGui::SetWindowFontScale(*fit_);
    }
}

void Widgets::end_page() const {
    if (fit_ != nullptr) {
        // The column's own padding under the last item counts: without it a page that
        // "fits" still showed a scroll bar.
        const float needed = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y +
                             ImGui::GetStyle().WindowPadding.y;
        const float available = ImGui::GetWindowHeight();
        if (needed > available && *fit_ > kSmallestFit) {
            // Spacing does not shrink with the text, so aim a little lower than the ratio.
            *fit_ = std::max(kSmallestFit, *fit_ * available / needed * 0.97f);
        }
    }
    ImGui::EndChild();
    if (keyboard_ != nullptr) {
        const ImGuiViewport* viewport = ImGui::GetMainViewport();
        const float column = std::min(viewport->WorkSize.x * 0.86f, ImGui::GetFontSize() * 34.0f);
        keyboard_->draw(*this, viewport->WorkPos.x + (viewport->WorkSize.x - column) * 0.5f,
                        column);
    }
    ImGui::End();
}

void Widgets::headline(const std::string& text) const {
    text_block(text, fonts_.headline, 0, ImGui::GetContentRegionAvail().x);
}

void Widgets::title(const std::string& text, unsigned colour) const {
    text_block(text, fonts_.title, colour, ImGui::GetContentRegionAvail().x);
}

void Widgets::paragraph(const std::string& text) const {
    text_block(text, nullptr, 0, ImGui::GetContentRegionAvail().x);
}

void Widgets::muted(const std::string& text) const {
    text_block(text, nullptr, palette_.muted, ImGui::GetContentRegionAvail().x);
}

void Widgets::notice_box(const std::string& text) const {
    const float pad = ImGui::GetFontSize() * 0.6f;
    const float stripe = 6.0f;
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 top_left = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    // The text goes first (on the upper channel) so the box can be sized to it.
    draw->ChannelsSplit(2);
    draw->ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos(ImVec2(top_left.x + pad + (rtl_ ? 0.0f : stripe), top_left.y + pad));
    text_block(text, nullptr, palette_.notice_text, width - 2 * pad - stripe);
    const float bottom = ImGui::GetItemRectMax().y + pad;
    draw->ChannelsSetCurrent(0);
    draw->AddRectFilled(top_left, ImVec2(top_left.x + width, bottom), palette_.notice_bg, 8.0f);
    if (rtl_) {
        draw->AddRectFilled(ImVec2(top_left.x + width - stripe, top_left.y),
                            ImVec2(top_left.x + width, bottom), palette_.notice_text, 8.0f,
                            ImDrawFlags_RoundCornersRight);
    } else {
        draw->AddRectFilled(top_left, ImVec2(top_left.x + stripe, bottom), palette_.notice_text,
                            8.0f, ImDrawFlags_RoundCornersLeft);
    }
    draw->ChannelsMerge();
    ImGui::SetCursorScreenPos(ImVec2(top_left.x, bottom));
    ImGui::Dummy(ImVec2(width, 0));
}

void Widgets::vertical_space(float lines) const {
    ImGui::Dummy(ImVec2(0, ImGui::GetFontSize() * lines));
}

bool Widgets::primary_button(const std::string& label, bool enabled) const {
    return button(label, enabled, true, -FLT_MIN);
}

bool Widgets::secondary_button(const std::string& label, bool enabled) const {
    return button(label, enabled, false, -FLT_MIN);
}

bool Widgets::key_button(const std::string& label, bool primary, float width, float height,
                         bool enabled) const {
    return button(label, enabled, primary, width, height);
}

RowPress Widgets::button_row(const std::string& forward, const std::string& back,
                             bool enabled) const {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float width = (ImGui::GetContentRegionAvail().x - spacing) * 0.5f;
    RowPress pressed = RowPress::None;
    // Reading order puts "back" first: on the left in English, on the right in Hebrew.
    for (int slot = 0; slot < 2; ++slot) {
        const bool is_forward = (slot == 1) != rtl_;
        if (slot == 1) {
            ImGui::SameLine(0.0f, spacing);
        }
        if (is_forward ? button(forward, enabled, true, width)
                       : button(back, enabled, false, width)) {
            pressed = is_forward ? RowPress::Forward : RowPress::Back;
        }
    }
    return pressed;
}

int Widgets::choice_row(const char* id, const std::vector<std::string>& labels,
                        int selected) const {
    const int count = static_cast<int>(labels.size());
    if (count == 0) {
        return -1;
    }
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float width =
        (ImGui::GetContentRegionAvail().x - spacing * static_cast<float>(count - 1)) /
        static_cast<float>(count);
    int pressed = -1;
    ImGui::PushID(id);
    for (int slot = 0; slot < count; ++slot) {
        const int index = rtl_ ? count - 1 - slot : slot;
        if (slot > 0) {
            ImGui::SameLine(0.0f, spacing);
        }
        ImGui::PushID(index);
        if (button(labels[static_cast<std::size_t>(index)], true, index == selected, width)) {
            pressed = index;
        }
        ImGui::PopID();
    }
    ImGui::PopID();
    return pressed;
}

bool Widgets::toggle(const char* id, const std::string& label, bool value) const {
    return toggle_in(id, label, value, ImGui::GetContentRegionAvail().x);
}

float Widgets::toggle_width(const std::string& label) const {
    const float size = ImGui::GetFontSize();
    return size * 1.25f + size * 0.5f + ImGui::CalcTextSize(visual(label).c_str()).x;
}

bool Widgets::toggle_at_end(const char* id, const std::string& label, bool value) const {
    const float total = toggle_width(label);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    ImGui::SetCursorScreenPos(ImVec2(rtl_ ? pos.x : pos.x + width - total, pos.y));
    return toggle_in(id, label, value, total);
}

int Widgets::toggle_row(const char* id, const std::vector<std::string>& labels,
                        const std::vector<bool>& values) const {
    const int count = static_cast<int>(std::min(labels.size(), values.size()));
    if (count == 0) {
        return -1;
    }
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float width =
        (ImGui::GetContentRegionAvail().x - spacing * static_cast<float>(count - 1)) /
        static_cast<float>(count);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    int toggled = -1;
    float bottom = start.y;
    ImGui::PushID(id);
    for (int slot = 0; slot < count; ++slot) {
        const int index = rtl_ ? count - 1 - slot : slot;
        ImGui::SetCursorScreenPos(
            ImVec2(start.x + static_cast<float>(slot) * (width + spacing), start.y));
        ImGui::PushID(index);
        const auto i = static_cast<std::size_t>(index);
        if (toggle_in("##toggle", labels[i], values[i], width)) {
            toggled = index;
        }
        bottom = std::max(bottom, ImGui::GetItemRectMax().y);
        ImGui::PopID();
    }
    ImGui::PopID();
    ImGui::SetCursorScreenPos(ImVec2(start.x, bottom));
    ImGui::Dummy(ImVec2(0, 0));
    return toggled;
}

bool Widgets::toggle_in(const char* id, const std::string& label, bool value, float width) const {
    const float size = ImGui::GetFontSize();
    const float box = size * 1.25f;
    const float gap = size * 0.5f;
    const float height = size * 1.8f;
    const std::string text = visual(label);
    const float text_width = ImGui::CalcTextSize(text.c_str()).x;
    const float total = box + gap + text_width;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float x0 = rtl_ ? pos.x + width - total : pos.x;
    ImGui::SetCursorScreenPos(ImVec2(x0, pos.y));
    const bool pressed = ImGui::InvisibleButton(id, ImVec2(total, height));
    record(label);
    const bool focused = ImGui::IsItemFocused();

    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float box_x = rtl_ ? x0 + total - box : x0;
    const float box_y = pos.y + (height - box) * 0.5f;
    const ImVec2 box_min(box_x, box_y);
    const ImVec2 box_max(box_x + box, box_y + box);
    draw->AddRectFilled(box_min, box_max, value ? palette_.primary : palette_.frame, 6.0f);
    draw->AddRect(box_min, box_max, value ? palette_.primary : palette_.border, 6.0f, 0, 2.0f);
    if (value) {
        const ImVec2 tick[3] = {ImVec2(box_x + box * 0.22f, box_y + box * 0.52f),
                                ImVec2(box_x + box * 0.42f, box_y + box * 0.72f),
                                ImVec2(box_x + box * 0.78f, box_y + box * 0.30f)};
        draw->AddPolyline(tick, 3, palette_.on_primary, 0, box * 0.12f);
    }
    const float text_x = rtl_ ? x0 : x0 + box + gap;
    draw->AddText(ImVec2(text_x, pos.y + (height - size) * 0.5f), palette_.text, text.c_str());
    if (focused) {
        draw->AddRect(ImVec2(x0 - 4, pos.y - 4), ImVec2(x0 + total + 4, pos.y + height + 4),
                      palette_.focus, 6.0f, 0, 3.0f);
    }
    return pressed;
}

bool Widgets::text_field(const char* id, const std::string& label, char* buffer, std::size_t size,
                         const TextFieldOptions& options) const {
    if (!label.empty()) { // "": the caller drew the label (fields side by side)
        paragraph(label);
    }
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
    if (options.secret) {
        flags |= ImGuiInputTextFlags_Password | ImGuiInputTextFlags_NoUndoRedo;
    }
    if (options.digits_only) {
        flags |= ImGuiInputTextFlags_CharsDecimal;
    }
    if (!options.enabled) {
        ImGui::BeginDisabled();
    }
    const ImGuiID item = ImGui::GetID(id);
    OnScreenKeyboard* keyboard = options.on_screen_keyboard ? keyboard_ : nullptr;
    if (options.take_focus || (keyboard != nullptr && keyboard->wants_focus(item))) {
        ImGui::SetKeyboardFocusHere();
    }
    ImGuiInputTextCallback callback = nullptr;
    if (keyboard != nullptr && keyboard->wants_caret_at_end(item)) {
        // The on-screen keyboard typed at the end: a physical keyboard goes on from there.
        flags |= ImGuiInputTextFlags_CallbackAlways;
        callback = [](ImGuiInputTextCallbackData* data) {
            data->CursorPos = data->SelectionStart = data->SelectionEnd = data->BufTextLen;
            static_cast<OnScreenKeyboard*>(data->UserData)->caret_moved();
            return 0;
        };
    }
    ImGui::SetNextItemWidth(-FLT_MIN);
    const bool own_text = rtl_ && !options.secret;
    if (own_text) {
        // Dear ImGui's glyphs, caret and selection (all in logical order) go invisible; the
        // field's box, focus and editing stay its own.
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 0));
        ImGui::PushStyleColor(ImGuiCol_TextSelectedBg, ImVec4(0, 0, 0, 0));
    }
    bool entered = ImGui::InputText(id, buffer, size, flags, callback, keyboard);
    if (own_text) {
        ImGui::PopStyleColor(2);
        draw_field_text(id, item, buffer, options.latin);
    }
    if (!options.enabled) {
        ImGui::EndDisabled();
    }
    if (keyboard != nullptr &&
        keyboard->field_drawn(item, buffer, size, options, ImGui::IsItemActive())) {
        entered = true; // Enter on the on-screen keyboard
    }
    return entered && options.enabled;
}

namespace {

// The logical caret (0 … code points) whose gap on screen is nearest to `offset`, a distance
// from the visual line's left end; `gap_x` holds each visual gap's distance.
int caret_at(const assets::VisualLine& line, const std::vector<float>& gap_x, float offset) {
    int best = 0;
    float best_distance = FLT_MAX;
    const int count = static_cast<int>(line.position.size());
    for (int caret = 0; caret <= count; ++caret) {
        const float distance =
            std::fabs(gap_x[static_cast<std::size_t>(assets::caret_gap(line, caret))] - offset);
        if (distance < best_distance) {
            best = caret;
            best_distance = distance;
        }
    }
    return best;
}

} // namespace

void Widgets::draw_field_text(const char* id, unsigned item, const char* buffer, bool latin) const {
    const ImVec2 frame_min = ImGui::GetItemRectMin();
    const ImVec2 frame_max = ImGui::GetItemRectMax();
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    const float left = frame_min.x + pad.x;
    const float right = frame_max.x - pad.x;
    ImFont* font = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    const float scale = size / font->FontSize;

    const assets::VisualLine line = assets::visual_layout(buffer, !latin);
    // Where each gap between visual characters is, from the text's left end.
    std::vector<float> gap_x(line.visual.size() + 1, 0.0f);
    std::string shown;
    for (std::size_t v = 0; v < line.visual.size(); ++v) {
        const char32_t c = line.visual[v];
        float advance = 0.0f;
        if (!assets::is_bidi_control(c)) {
            const ImWchar glyph = c <= 0xFFFF ? static_cast<ImWchar>(c)
                                              : static_cast<ImWchar>(IM_UNICODE_CODEPOINT_INVALID);
            advance = font->GetCharAdvance(glyph) * scale;
            char utf8[5] = {};
            ImTextCharToUtf8(utf8, static_cast<unsigned int>(c));
            shown += utf8;
        }
        gap_x[v + 1] = gap_x[v] + advance;
    }
    const float width = gap_x.back();

    ImGuiInputTextState* state =
        ImGui::GetActiveID() == item ? ImGui::GetInputTextState(item) : nullptr;
    int caret = state != nullptr ? state->Stb.cursor : 0;
    float caret_offset = gap_x[static_cast<std::size_t>(assets::caret_gap(line, caret))];
    // Right-aligned, as the page's lines are; a line too long for the field slides so the
    // caret stays in view (or, when not edited, so a left-to-right line shows its start).
    float x = right - width;
    if (width > right - left) {
        if (state != nullptr) {
            x = std::min(left, std::max(x, left - caret_offset));
        } else if (latin) {
            x = left;
        }
    }
    // Dear ImGui placed the caret by its own invisible left-to-right text: a touch puts it
    // where the person pointed in the text they see, and a drag selects from there.
    if (state != nullptr && ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        caret = caret_at(line, gap_x, ImGui::GetIO().MousePos.x - x);
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
            state->Stb.select_start = caret;
        }
        state->Stb.cursor = state->Stb.select_end = caret;
        caret_offset = gap_x[static_cast<std::size_t>(assets::caret_gap(line, caret))];
    }
    const float y = frame_min.y + pad.y;

    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(ImVec2(left, frame_min.y), ImVec2(right + 1.0f, frame_max.y), true);
    if (state != nullptr && state->HasSelection()) {
        // Each selected character's own box: a selection across a direction change is
        // not one span on screen.
        const int from = std::min(state->Stb.select_start, state->Stb.select_end);
        const int to = std::max(state->Stb.select_start, state->Stb.select_end);
        for (int i = std::max(from, 0); i < to && i < static_cast<int>(line.position.size()); ++i) {
            const auto v = static_cast<std::size_t>(line.position[static_cast<std::size_t>(i)]);
            draw->AddRectFilled(ImVec2(x + gap_x[v], y), ImVec2(x + gap_x[v + 1], y + size),
                                ImGui::GetColorU32(ImGuiCol_TextSelectedBg));
        }
    }
    draw->AddText(font, size, ImVec2(x, y), ImGui::GetColorU32(ImGuiCol_Text), shown.c_str());
    // Dear ImGui's blink, so the two carets would agree.
    const bool caret_visible = state != nullptr && (!ImGui::GetIO().ConfigInputTextCursorBlink ||
                                                    state->CursorAnim <= 0.0f ||
                                                    ImFmod(state->CursorAnim, 1.20f) <= 0.80f);
    const float caret_x = std::floor(x + caret_offset) + 0.5f;
    if (caret_visible) {
        draw->AddLine(ImVec2(caret_x, y - 0.5f), ImVec2(caret_x, y + size - 1.5f),
                      ImGui::GetColorU32(ImGuiCol_Text));
    }
    draw->PopClipRect();
    if (fields_ != nullptr) {
        fields_->push_back({id, shown, x, x + width, frame_min.x, frame_max.x, frame_min.y,
                            frame_max.y, state != nullptr, caret_x});
    }
}

// [checklist] ---------------------------------------------------------------------------

namespace {

// Checklist text is smaller than body text: the page keeps room for the keyboard.
constexpr float kSmallText = 0.8f;

// A tick or cross `side` pixels square with its top-left at `at`; a pending line gets a
// small ring, which says "not judged yet" without a glyph.
void draw_mark(ImDrawList* draw, ImVec2 at, float side, Mark mark, const Palette& palette) {
    const float stroke = std::max(2.0f, side * 0.14f);
    switch (mark) {
    case Mark::Tick: {
        const ImVec2 tick[3] = {ImVec2(at.x + side * 0.12f, at.y + side * 0.55f),
                                ImVec2(at.x + side * 0.40f, at.y + side * 0.82f),
                                ImVec2(at.x + side * 0.90f, at.y + side * 0.22f)};
        draw->AddPolyline(tick, 3, palette.success, 0, stroke);
        break;
    }
    case Mark::Cross:
        draw->AddLine(ImVec2(at.x + side * 0.2f, at.y + side * 0.2f),
                      ImVec2(at.x + side * 0.8f, at.y + side * 0.8f), palette.notice_text, stroke);
        draw->AddLine(ImVec2(at.x + side * 0.8f, at.y + side * 0.2f),
                      ImVec2(at.x + side * 0.2f, at.y + side * 0.8f), palette.notice_text, stroke);
        break;
    case Mark::Pending:
        draw->AddCircle(ImVec2(at.x + side * 0.5f, at.y + side * 0.5f), side * 0.3f, palette.muted,
                        16, stroke * 0.7f);
        break;
    }
}

} // namespace

void Widgets::check_lines(const std::vector<CheckLine>& lines) const {
    const float base_scale = fit_ != nullptr ? *fit_ : 1.0f;
    ImGui::SetWindowFontScale(base_scale * kSmallText);
    const float size = ImGui::GetFontSize();
    const float mark = size * 0.9f;
    const float gap = size * 0.4f;
    const float width = ImGui::GetContentRegionAvail().x;
    const float spacing = size;
    const float half = (width - spacing) * 0.5f;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float y = origin.y;
    std::size_t i = 0;
    while (i < lines.size()) {
        // Two to a row when both fit their half; otherwise this one gets the whole row.
        auto fits = [&](std::size_t k) {
            return k < lines.size() &&
                   ImGui::CalcTextSize(visual(lines[k].text).c_str()).x + mark + gap <= half;
        };
        const bool pair = fits(i) && (i + 1 >= lines.size() || fits(i + 1));
        const std::size_t count = pair ? std::min<std::size_t>(2, lines.size() - i) : 1;
        float row_height = size * 1.2f;
        for (std::size_t slot = 0; slot < count; ++slot) {
            const auto& line = lines[i + slot];
            const float slot_width = count == 2 || pair ? half : width;
            const float slot_x = rtl_ ? origin.x + width -
                                            (static_cast<float>(slot) + 1) * slot_width -
                                            static_cast<float>(slot) * spacing
                                      : origin.x + static_cast<float>(slot) * (half + spacing);
            const float mark_x = rtl_ ? slot_x + slot_width - mark : slot_x;
            draw_mark(draw, ImVec2(mark_x, y + (size - mark) * 0.5f + size * 0.05f), mark,
                      line.mark, palette_);
            const float text_width = slot_width - mark - gap;
            float line_y = y;
            for (const auto& logical : wrap_lines(line.text, text_width)) {
                const std::string shown = visual(logical);
                const float w = ImGui::CalcTextSize(shown.c_str()).x;
                const float text_x = rtl_ ? slot_x + text_width - w : slot_x + mark + gap;
                draw->AddText(ImGui::GetFont(), size, ImVec2(text_x, line_y),
                              line.mark == Mark::Pending ? palette_.muted : palette_.text,
                              shown.c_str());
                line_y += size * 1.15f;
            }
            row_height = std::max(row_height, line_y - y + size * 0.05f);
        }
        y += row_height;
        i += count;
    }
    ImGui::Dummy(ImVec2(width, y - origin.y));
    ImGui::SetWindowFontScale(base_scale);
}

void Widgets::strength_meter(const std::string& label, int filled, int levels, unsigned colour,
                             float region) const {
    const float base_scale = fit_ != nullptr ? *fit_ : 1.0f;
    ImGui::SetWindowFontScale(base_scale * kSmallText);
    const float size = ImGui::GetFontSize();
    const float width = region > 0 ? region : ImGui::GetContentRegionAvail().x;
    const float bar = std::min(width * 0.5f, size * 14.0f);
    const float gap = size * 0.25f;
    const float segment = (bar - gap * static_cast<float>(levels - 1)) / static_cast<float>(levels);
    const float height = size * 0.45f;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float bar_y = origin.y + (size - height) * 0.5f;
    for (int k = 0; k < levels; ++k) {
        const float offset = static_cast<float>(k) * (segment + gap);
        const float x = rtl_ ? origin.x + width - offset - segment : origin.x + offset;
        draw->AddRectFilled(ImVec2(x, bar_y), ImVec2(x + segment, bar_y + height),
                            k < filled ? colour : palette_.frame, height * 0.5f);
        draw->AddRect(ImVec2(x, bar_y), ImVec2(x + segment, bar_y + height),
                      k < filled ? colour : palette_.border, height * 0.5f, 0, 1.0f);
    }
    const std::string text = visual(label);
    const float text_width = ImGui::CalcTextSize(text.c_str()).x;
    const float text_x = rtl_ ? origin.x + width - bar - size - text_width : origin.x + bar + size;
    draw->AddText(ImGui::GetFont(), size, ImVec2(text_x, origin.y), palette_.text, text.c_str());
    ImGui::Dummy(ImVec2(width, size * 1.3f));
    ImGui::SetWindowFontScale(base_scale);
}

void Widgets::busy_indicator(const std::string& label) const {
    const float radius = ImGui::GetFontSize() * 0.5f;
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float spinner_x = rtl_ ? pos.x + width - radius * 2.0f : pos.x;
    const ImVec2 centre(spinner_x + radius, pos.y + radius);
    const auto time = static_cast<float>(ImGui::GetTime());
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float start = rtl_ ? -time * 6.0f : time * 6.0f; // turns the way the text reads
    draw->PathArcTo(centre, radius, start, start + 4.2f, 24);
    draw->PathStroke(palette_.primary, 0, radius * 0.35f);
    const float text_offset = radius * 2.4f + ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetCursorScreenPos(ImVec2(rtl_ ? pos.x : pos.x + text_offset, pos.y));
    text_block(label, nullptr, palette_.muted, width - text_offset);
}

bool Widgets::qr_code(const std::string& payload, float side, const std::string& caption) const {
    const auto matrix = encode_qr(payload);
    if (!matrix) {
        return false;
    }
    qr_code(*matrix, side, caption);
    return true;
}

void Widgets::secret_line(std::string_view text, ImFont* font) const {
    if (font != nullptr) {
        ImGui::PushFont(font);
    }
    const float width = ImGui::GetContentRegionAvail().x;
    const float used = ImGui::CalcTextSize(text.data(), text.data() + text.size()).x;
    if (rtl_ && used < width) {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + width - used);
    }
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    if (font != nullptr) {
        ImGui::PopFont();
    }
}

void Widgets::qr_code(const QrMatrix& matrix, float side, const std::string& caption) const {
    const int modules = matrix.width + 2 * kQrQuietZone;
    // Whole pixels per module on whole-pixel positions: no module is blurred across two
    // pixel columns, which is what keeps a phone's reader happy with small codes. Never
    // under 3 pixels a module: at 800x480 a code sized by the font came out at one pixel a
    // module, which no phone (nor zbarimg) reads.
    constexpr float kMinModulePixels = 3.0f;
    const float module = std::max(kMinModulePixels, std::floor(side / static_cast<float>(modules)));
    const float drawn = module * static_cast<float>(modules);
    const float width = ImGui::GetContentRegionAvail().x;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float x0 = std::floor(rtl_ ? pos.x + width - drawn : pos.x);
    const float y0 = std::floor(pos.y);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    // Always dark on white, also in high contrast: readers expect it that way round.
    draw->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + drawn, y0 + drawn), 0xFFFFFFFF);
    for (const QrRun& run : qr_runs(matrix)) {
        const float left = x0 + module * static_cast<float>(run.first + kQrQuietZone);
        const float top = y0 + module * static_cast<float>(run.row + kQrQuietZone);
        draw->AddRectFilled(ImVec2(left, top),
                            ImVec2(left + module * static_cast<float>(run.count), top + module),
                            0xFF000000);
    }
    const float gap = ImGui::GetFontSize();
    if (!caption.empty() && width - drawn - gap > ImGui::GetFontSize() * 4) {
        ImGui::SetCursorScreenPos(ImVec2(rtl_ ? pos.x : x0 + drawn + gap, y0 + gap * 0.5f));
        text_block(caption, nullptr, palette_.muted, width - drawn - gap);
    }
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y0 + drawn));
    ImGui::Dummy(ImVec2(width, 0));
}

void Widgets::field(const std::string& label, const std::string& value) const {
    muted(label);
    paragraph(value);
    vertical_space(0.3f);
}

} // namespace kiosk::ui
