// InputTrickle's pacing: nothing is lost or reordered, a fast tap spans two frames, and
// text typed after Tab waits for the next field.
#include "kiosk/ui/input_trickle.hpp"

#include <GLFW/glfw3.h>
#include <gtest/gtest.h>
#include <string>

using kiosk::ui::InputEvent;
using kiosk::ui::InputTrickle;

namespace {

InputEvent key(int code, int action) {
    return {InputEvent::Kind::Key, code, action, 0, 0, 0, 0};
}
InputEvent character(char c) {
    return {InputEvent::Kind::Char, c, 0, 0, 0, 0, 0};
}

// Types `text` as xdotool does: press, character, release for each letter.
void type(InputTrickle& trickle, const std::string& text) {
    for (char c : text) {
        const int code = GLFW_KEY_A + (c - 'a');
        trickle.push(key(code, GLFW_PRESS));
        trickle.push(character(c));
        trickle.push(key(code, GLFW_RELEASE));
    }
}

// What each frame hands over, as text: characters, "<TAB>", "<ENTER>", "+"/"-" for others.
std::vector<std::string> frames(InputTrickle& trickle) {
    std::vector<std::string> out;
    for (int guard = 0; !trickle.empty() && guard < 1000; ++guard) {
        std::string frame;
        for (const auto& e : trickle.take_for_frame()) {
            if (e.kind == InputEvent::Kind::Char) {
                frame += static_cast<char>(e.code);
            } else if (e.kind == InputEvent::Kind::Key && e.action == GLFW_PRESS) {
                frame += e.code == GLFW_KEY_TAB     ? "<TAB>"
                         : e.code == GLFW_KEY_ENTER ? "<ENTER>"
                                                    : "+";
            } else {
                frame += "-";
            }
        }
        out.push_back(frame);
    }
    return out;
}

std::string joined_text(const std::vector<std::string>& frames) {
    std::string all;
    for (const auto& f : frames) {
        for (char c : f) {
            if (c != '+' && c != '-') {
                all += c;
            }
        }
    }
    return all;
}

} // namespace

TEST(InputTrickle, AFastTapIsSeenDownInOneFrameAndUpInTheNext) {
    InputTrickle trickle;
    trickle.push(key(GLFW_KEY_ENTER, GLFW_PRESS));
    trickle.push(key(GLFW_KEY_ENTER, GLFW_RELEASE));
    const auto first = trickle.take_for_frame();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].action, GLFW_PRESS);
    const auto second = trickle.take_for_frame();
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].action, GLFW_RELEASE);
    EXPECT_TRUE(trickle.empty());
}

TEST(InputTrickle, NothingIsLostOrReordered) {
    InputTrickle trickle;
    type(trickle, "seven");
    trickle.push(key(GLFW_KEY_TAB, GLFW_PRESS));
    trickle.push(key(GLFW_KEY_TAB, GLFW_RELEASE));
    type(trickle, "seven");
    trickle.push(key(GLFW_KEY_ENTER, GLFW_PRESS));
    trickle.push(key(GLFW_KEY_ENTER, GLFW_RELEASE));
    EXPECT_EQ(joined_text(frames(trickle)), "seven<TAB>seven<ENTER>");
}

TEST(InputTrickle, TextNeverSharesAFrameWithTabOrTheFrameAfterIt) {
    InputTrickle trickle;
    type(trickle, "ab");
    trickle.push(key(GLFW_KEY_TAB, GLFW_PRESS));
    trickle.push(key(GLFW_KEY_TAB, GLFW_RELEASE));
    type(trickle, "cd");
    const auto out = frames(trickle);
    std::size_t tab_frame = out.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].find("<TAB>") != std::string::npos) {
            tab_frame = i;
            EXPECT_EQ(out[i].find_first_of("abcd"), std::string::npos) << out[i];
        }
    }
    ASSERT_LT(tab_frame + 1, out.size());
    EXPECT_EQ(out[tab_frame + 1].find_first_of("cd"), std::string::npos)
        << "the next field becomes active one frame after Tab";
}

TEST(InputTrickle, TypingPlainLettersStaysQuick) {
    InputTrickle trickle;
    type(trickle, "abcdefghij");
    EXPECT_LE(frames(trickle).size(), 3u) << "letters must not cost a frame each";
}
