// The pacing rules of InputTrickle; each stops the frame's batch at the first event that
// Dear ImGui 1.86 could not tell apart from what it already got this frame.
#include "kiosk/ui/input_trickle.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>

namespace kiosk::ui {

bool InputTrickle::is_focus_or_edit_key(int key) {
    switch (key) {
    case GLFW_KEY_TAB:
    case GLFW_KEY_ENTER:
    case GLFW_KEY_KP_ENTER:
    case GLFW_KEY_ESCAPE:
    case GLFW_KEY_BACKSPACE:
    case GLFW_KEY_DELETE:
    case GLFW_KEY_LEFT:
    case GLFW_KEY_RIGHT:
    case GLFW_KEY_UP:
    case GLFW_KEY_DOWN:
    case GLFW_KEY_HOME:
    case GLFW_KEY_END:
    case GLFW_KEY_PAGE_UP:
    case GLFW_KEY_PAGE_DOWN:
        return true;
    default:
        return false;
    }
}

bool InputTrickle::is_modifier_key(int key) {
    return key >= GLFW_KEY_LEFT_SHIFT && key <= GLFW_KEY_RIGHT_SUPER;
}

std::vector<InputEvent> InputTrickle::take_for_frame() {
    std::vector<InputEvent> batch;
    std::vector<int> keys_changed;
    std::vector<int> buttons_changed;
    bool chars_fed = false;
    const bool chars_paused = char_pause_frames_ > 0;
    if (chars_paused) {
        --char_pause_frames_;
    }
    while (!queue_.empty()) {
        const InputEvent& event = queue_.front();
        if (event.kind == InputEvent::Kind::Key) {
            const bool special = is_focus_or_edit_key(event.code);
            // Letters reach text fields as characters, so their key transitions may share a
            // frame; keys Dear ImGui acts on (Tab, Enter, Shift...) get one transition each.
            const bool tracked = special || is_modifier_key(event.code);
            const bool seen = std::find(keys_changed.begin(), keys_changed.end(), event.code) !=
                              keys_changed.end();
            if ((tracked && seen) || (special && chars_fed)) {
                break; // one transition per key per frame; typed text before Tab/Enter
            }
            keys_changed.push_back(event.code);
            if (special && event.action != GLFW_RELEASE) {
                // Focus moves at the next frame: hold text until the new field is active.
                char_pause_frames_ = 2;
            }
        } else if (event.kind == InputEvent::Kind::Char) {
            if (chars_paused || char_pause_frames_ > 0) {
                break;
            }
            chars_fed = true;
        } else if (event.kind == InputEvent::Kind::MouseButton) {
            if (std::find(buttons_changed.begin(), buttons_changed.end(), event.code) !=
                buttons_changed.end()) {
                break;
            }
            buttons_changed.push_back(event.code);
        }
        batch.push_back(event);
        queue_.pop_front();
    }
    return batch;
}

} // namespace kiosk::ui
