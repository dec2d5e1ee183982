// InputTrickle: hands window-system input to Dear ImGui at a pace it can follow.
// Dear ImGui 1.86 (Debian 12's) samples key state once per frame, so a press and release
// arriving between two frames is lost, and a character typed right after Tab or Enter
// lands in the field that is losing focus. Fast typists, badge readers (a burst of keys
// ending in Enter) and xdotool all do both. This queue releases events frame by frame,
// keeping their order, so that every one of them takes effect.
#pragma once

#include <deque>
#include <vector>

namespace kiosk::ui {

struct InputEvent {
    enum class Kind { Key, Char, MouseButton, Scroll, Focus, CursorEnter };
    Kind kind = Kind::Key;
    int code =
        0; // GLFW key or mouse button; the codepoint for Char; the flag for Focus/CursorEnter
    int action = 0; // GLFW_PRESS, GLFW_RELEASE or GLFW_REPEAT (keys and buttons)
    int scancode = 0;
    int mods = 0;
    double x = 0; // scroll offsets
    double y = 0;
};

class InputTrickle {
public:
    void push(const InputEvent& event) { queue_.push_back(event); }

    // The events to give Dear ImGui before this frame's NewFrame(), oldest first. What is
    // left waits for the next frame.
    std::vector<InputEvent> take_for_frame();

    [[nodiscard]] bool empty() const { return queue_.empty(); }

    // Keys that move focus or edit text: characters must not share a frame with them.
    static bool is_focus_or_edit_key(int glfw_key);
    // Shift, Control, Alt, Super: held down together with the keys they modify.
    static bool is_modifier_key(int glfw_key);

private:
    std::deque<InputEvent> queue_;
    int char_pause_frames_ = 0; // frames to hold characters after a focus/edit key
};

} // namespace kiosk::ui
