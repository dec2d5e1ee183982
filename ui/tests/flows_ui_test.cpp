// Whole walk-up flows in the real screens with no window (Dear ImGui's draw lists are built
// and never shown), driving a real Session against a real kiosk-central over TLS: a person
// presses buttons by their labels and types on the keyboard, and the test checks what the
// kiosk did and what reached the central.
#include "central_process.hpp"
#include "client_settings.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/net/http_client.hpp"
#include "kiosk/ui/screens.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <imgui.h>
#include <memory>
#include <optional>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDemoPassword = "Lobby-Winter-Morning-2026";

// The screens and a session wired as the kiosk's frame loop wires them, one frame at a time.
class Rig {
public:
    explicit Rig(const kiosk::testing::CentralProcess& central, app::SessionSettings settings = {})
        : context_(ImGui::CreateContext()),
          client_(central.base_url(), kiosk::testing::client_settings_for(central)),
          session_(client_, worker_, inbox_, std::move(settings)) {
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        // Dear ImGui 1.86 reads keys through a map the backend fills; these stand in for GLFW's.
        for (int k = 0; k < ImGuiKey_COUNT; ++k) {
            io.KeyMap[k] = k + 1;
        }
        fonts_ = ui::apply_theme(assets::find_ui_fonts(), 800.0f);
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
        std::string error;
        catalogs_ = assets::Catalogs::load_shipped(error);
        if (!catalogs_) {
            throw std::runtime_error(error);
        }
        screens_ = std::make_unique<ui::KioskScreens>(*catalogs_, fonts_);
        frame();
    }
    ~Rig() {
        screens_.reset();
        ImGui::DestroyContext(context_);
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    // One frame: draw, hand the intents to the session, let its requests finish.
    void frame() { step(1.0f / 60.0f); }
    void step(float seconds) {
        ImGui::GetIO().DeltaTime = seconds;
        ImGui::NewFrame();
        auto intents = screens_->draw(session_.view());
        ImGui::Render();
        for (auto& intent : intents) {
            session_.handle(std::move(intent), app::Clock::now());
        }
        session_.tick(app::Clock::now()); // timers: the resend countdown
        do {
            worker_.wait_idle();
            inbox_.drain();
        } while (session_.view().busy);
    }
    void frames(int n) {
        for (int i = 0; i < n; ++i) {
            frame();
        }
    }

    // Touches the control labelled `label` in the person's language, as a touch screen does.
    bool press(const std::string& label) {
        // A person touches what they see once it stands still: a page may take a frame or
        // two to fit its text after the keyboard comes or goes.
        for (int i = 0; i < 10 && screens_->settling(); ++i) {
            frame();
        }
        const auto& controls = screens_->controls();
        const auto it = std::find_if(controls.begin(), controls.end(),
                                     [&](const ui::Control& c) { return c.label == label; });
        if (it == controls.end()) {
            ADD_FAILURE() << "no control labelled '" << label << "' on screen "
                          << static_cast<int>(session_.view().screen);
            return false;
        }
        ImGuiIO& io = ImGui::GetIO();
        for (const bool down : {false, true, false}) {
            io.MousePos = ImVec2((it->left + it->right) / 2, (it->top + it->bottom) / 2);
            io.MouseDown[0] = down;
            frame();
        }
        io.MousePos = ImVec2(-1, -1);
        frames(2);
        return true;
    }
    // The label of `key` in the current language.
    [[nodiscard]] std::string label(std::string_view key) const {
        return catalogs_->of(session_.view().language).text(key);
    }
    bool press_key(std::string_view key) { return press(label(key)); }
    // The label of `key` with its placeholders filled in, and of a counted `key`.
    [[nodiscard]] std::string label(std::string_view key,
                                    const assets::Placeholders& values) const {
        return catalogs_->of(session_.view().language).format(key, values);
    }
    [[nodiscard]] std::string plural_label(std::string_view key, long n) const {
        return catalogs_->of(session_.view().language).plural(key, n);
    }
    // Whether the control labelled `label` is drawn and can be pressed.

    // A keyboard-wedge badge reader: `id` one key per frame 8 ms apart, then Enter.
    void swipe(const std::string& id) {
        ImGuiIO& io = ImGui::GetIO();
        for (char c : id) {
            io.DeltaTime = 0.008f;
            io.AddInputCharacter(static_cast<unsigned>(c));
            step(0.008f);
        }
        io.KeysDown[io.KeyMap[ImGuiKey_Enter]] = true;
        step(0.008f);
        io.KeysDown[io.KeyMap[ImGuiKey_Enter]] = false;
        frames(2);
    }

    // Types on a physical keyboard into the field that has the caret.
    void type(const std::string& text) {
        ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
        frames(2);
    }

    // Types `text` on the on-screen keyboard, key by key, the way a person finds each
    // character: on the keys shown, else with Shift, AltGr (Polish), both, or on the symbols
    // page. Fails the test for a character no key types.
    void tap_text(const std::string& text) {
        for (std::size_t i = 0; i < text.size();) {
            std::size_t n = 1;
            while (i + n < text.size() &&
                   (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) {
                ++n;
            }
            tap_character(text.substr(i, n));
            i += n;
        }
    }
    void tap_character(const std::string& ch) {
        if (ch == " ") {
            press(label("keyboard.space"));
            return;
        }
        if (shown(ch)) {
            press(ch);
            return;
        }
        const std::string shift = label("keyboard.shift");
        const std::string altgr = "ą ę";
        const std::string symbols = label("keyboard.symbols");
        for (const auto& modifiers :
             std::vector<std::vector<std::string>>{{shift}, {altgr}, {shift, altgr}, {symbols}}) {
            if (!std::all_of(modifiers.begin(), modifiers.end(),
                             [&](const std::string& m) { return shown(m); })) {
                continue;
            }
            for (const auto& m : modifiers) {
                press(m);
            }
            const bool found = shown(ch);
            if (found) {
                press(ch); // Shift and AltGr let go by themselves
            } else {
                for (const auto& m : modifiers) {
                    if (m == shift) { // once, locked, off
                        press(shift);
                        press(label("keyboard.caps_lock"));
                    } else if (m == altgr) {
                        press(altgr);
                    }
                }
            }
            if (m_symbols(modifiers, symbols)) {
                for (const std::string back : {"ABC", "АБВ", "אבג"}) {
                    if (shown(back)) {
                        press(back);
                        break;
                    }
                }
            }
            if (found) {
                return;
            }
        }
        ADD_FAILURE() << "no key types '" << ch << "'";
    }
    static bool m_symbols(const std::vector<std::string>& modifiers, const std::string& symbols) {
        return modifiers.size() == 1 && modifiers[0] == symbols;
    }
    [[nodiscard]] bool shown(const std::string& label) const {
        const auto& controls = screens_->controls();
        return std::any_of(controls.begin(), controls.end(),
                           [&](const ui::Control& c) { return c.label == label; });
    }

    // Presses and releases a key of a physical keyboard.
    void key(ImGuiKey key) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[io.KeyMap[key]] = true;
        frame();
        io.KeysDown[io.KeyMap[key]] = false;
        frames(2);
    }

    [[nodiscard]] const app::ViewModel& view() const { return session_.view(); }
    // [checklist] The password screen's checklist as last drawn, and one line's mark.
    [[nodiscard]] std::string plural(std::string_view key, long n) const {
        return catalogs_->of(session_.view().language).plural(key, n);
    }
    [[nodiscard]] std::optional<ui::Mark> mark(const std::string& line) const {
        for (const auto& drawn : screens_->checklist()) {
            if (drawn.text == line) {
                return drawn.mark;
            }
        }
        return std::nullopt;
    }
    [[nodiscard]] app::Strength strength() const { return screens_->strength(); }

private:
    ImGuiContext* context_;
    net::CurlGlobal curl_;
    net::CentralClient client_;
    app::UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    app::BackgroundWorker worker_;
    app::Session session_;
    ui::FontSets fonts_;
    std::optional<assets::Catalogs> catalogs_;
    std::unique_ptr<ui::KioskScreens> screens_;
};

long sign_in(const kiosk::testing::CentralProcess& central, const std::string& password) {
    net::HttpsClient http(kiosk::testing::client_settings_for(central));
    const auto result = http.post_json(central.base_url() + "/v1/sign-ins",
                                       R"({"username":"jdoe","password":")" + password + R"("})");
    const auto* response = std::get_if<net::HttpResponse>(&result);
    return response != nullptr ? response->status : -1;
}

void lock_out_jdoe(const kiosk::testing::CentralProcess& central) {
    for (int i = 0; i < 5; ++i) {
        sign_in(central, "not-the-password");
    }
    ASSERT_NE(sign_in(central, kDemoPassword), 200);
}

// Attract -> home -> `task` -> identify as jdoe -> the code from the central's outbox.
void verify_by_touch(Rig& rig, kiosk::testing::CentralProcess& central, std::string_view task) {
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_EQ(rig.view().screen, app::Screen::Home);
    ASSERT_TRUE(rig.press_key(task));
    ASSERT_EQ(rig.view().screen, app::Screen::Identify);
    rig.type("jdoe");
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::ChooseMethod);
    ASSERT_TRUE(rig.press(rig.label("verify.method.email", {{"hint", "j•••@example.com"}})));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    const auto code = central.latest_code_for("jdoe");
    ASSERT_TRUE(code.has_value());
    rig.type(*code);
    ASSERT_TRUE(rig.press_key("code.continue"));
}

} // namespace

TEST(FlowsUi, UnlockByTouchInPolishUnlocksAtTheCentral) {
    kiosk::testing::CentralProcess central;
    lock_out_jdoe(central);
    Rig rig(central);
    ASSERT_TRUE(rig.press("Polski"));
    ASSERT_EQ(rig.view().language, "pl");
    verify_by_touch(rig, central, "home.unlock");
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    EXPECT_EQ(rig.view().reference.rfind("UNL-", 0), 0u);
    EXPECT_EQ(sign_in(central, kDemoPassword), 200) << "the central lifted the lock";
    ASSERT_TRUE(rig.press("Zakończ"));
    EXPECT_EQ(rig.view().screen, app::Screen::Attract);
    EXPECT_EQ(rig.view().language, "en") << "the next person starts in the default language";
}

TEST(FlowsUi, StatusShowsTheLockAndTheUnlockButtonUnlocks) {
    kiosk::testing::CentralProcess central;
    lock_out_jdoe(central);
    Rig rig(central);
    verify_by_touch(rig, central, "home.status");
    ASSERT_EQ(rig.view().screen, app::Screen::AccountStatus);
    EXPECT_EQ(rig.view().status.state, "locked");
    ASSERT_TRUE(rig.press_key("status.unlock"));
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    EXPECT_EQ(rig.view().flow, app::Flow::Unlock);
    EXPECT_EQ(sign_in(central, kDemoPassword), 200);
}

TEST(FlowsUi, ResetTypedOnAPhysicalKeyboardChangesThePassword) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    rig.key(ImGuiKey_Enter); // attract: Enter starts
    ASSERT_EQ(rig.view().screen, app::Screen::Home);
    rig.key(ImGuiKey_Enter); // home: Enter takes the first task, the reset
    ASSERT_EQ(rig.view().screen, app::Screen::Identify);
    ASSERT_EQ(rig.view().flow, app::Flow::ResetPassword);
    rig.type("jdoe");
    rig.key(ImGuiKey_Enter);
    ASSERT_EQ(rig.view().screen, app::Screen::ChooseMethod);
    rig.key(ImGuiKey_Enter); // the first method, e-mail
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    EXPECT_EQ(rig.view().method, "email");
    rig.type(central.latest_code_for("jdoe").value());
    rig.key(ImGuiKey_Enter);
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    const std::string password = "Seven-Purple-Elephants-Dance";
    rig.type(password);
    rig.key(ImGuiKey_Tab);
    rig.type(password);
    rig.key(ImGuiKey_Enter);
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    EXPECT_TRUE(central.password_matches("jdoe", password));
    rig.key(ImGuiKey_Enter);
    EXPECT_EQ(rig.view().screen, app::Screen::Attract);
}

TEST(FlowsUi, BackOnIdentifyReturnsToTheMenuAndSendsNothing) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.unlock"));
    rig.type("jdoe");
    ASSERT_TRUE(rig.press_key("common.cancel"));
    EXPECT_EQ(rig.view().screen, app::Screen::Home);
    EXPECT_FALSE(central.latest_code_for("jdoe").has_value());
}

TEST(FlowsUi, ABadgeSwipeOnIdentifyIsTheIdentifier) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.reset"));
    rig.type("someone-else"); // typed, then the person swipes their badge instead
    rig.frames(10);           // a moment later: a person is never 30 ms from their last key
    rig.swipe("E1001");       // jdoe's employee ID
    ASSERT_EQ(rig.view().screen, app::Screen::ChooseMethod);
    EXPECT_EQ(rig.view().identifier, "E1001");
    ASSERT_FALSE(rig.view().methods.empty());
    EXPECT_EQ(rig.view().methods[0].hint, "j•••@example.com") << "the central found jdoe by badge";
}

// Attract -> home -> reset, everything typed on the on-screen keyboards in `language`:
// the username, the code on the keypad, and `password` twice. Checks what the session got.
void reset_on_screen(Rig& rig, kiosk::testing::CentralProcess& central, const char* language,
                     const std::string& password) {
    ASSERT_TRUE(rig.press(language));
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.reset"));
    ASSERT_EQ(rig.view().screen, app::Screen::Identify);
    rig.tap_text("jdoe");
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    ASSERT_EQ(rig.view().screen, app::Screen::ChooseMethod);
    ASSERT_TRUE(rig.press(rig.label("verify.method.email", {{"hint", "j•••@example.com"}})));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    EXPECT_EQ(rig.view().identifier, "jdoe") << "what the session sent to the central";
    const auto code = central.latest_code_for("jdoe");
    ASSERT_TRUE(code.has_value());
    ASSERT_FALSE(rig.shown("q")) << "a code is typed on the keypad";
    rig.tap_text(*code);
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    rig.tap_text(password);
    ASSERT_TRUE(rig.press_key("keyboard.next"));
    rig.tap_text(password);
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    ASSERT_EQ(rig.view().screen, app::Screen::Done)
        << "notice " << static_cast<int>(rig.view().notice);
    EXPECT_TRUE(central.password_matches("jdoe", password));
}

TEST(FlowsUi, ResetTypedOnThePolishKeyboardKeepsItsDiacritics) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    reset_on_screen(rig, central, "Polski", "Zażółć gęślą jaźń-2026!");
}

TEST(FlowsUi, ResetTypedOnTheRussianKeyboard) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    reset_on_screen(rig, central, "Русский", "Ёжик в тумане-2026");
}

TEST(FlowsUi, ResetTypedOnTheHebrewKeyboard) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    reset_on_screen(rig, central, "עברית", "סיסמה חדשה-2026");
}

// [checklist] -------------------------------------------------------------------------------

// Typed key by key on the on-screen keyboard: the marks follow each character, with the
// policy the central publishes (its own minimum and history, not the kiosk's 15).
TEST(FlowsUi, TheChecklistTicksAsThePasswordIsTypedOnTheKeyboard) {
    kiosk::testing::CentralProcess central(
        {"--min-password-length", "12", "--password-history", "3"});
    Rig rig(central);
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.reset"));
    rig.tap_text("jdoe");
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    ASSERT_TRUE(rig.press(rig.label("verify.method.email", {{"hint", "j•••@example.com"}})));
    const auto code = central.latest_code_for("jdoe");
    ASSERT_TRUE(code.has_value());
    rig.tap_text(*code);
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    ASSERT_TRUE(rig.view().password_policy.known) << "the central's policy arrived";
    EXPECT_EQ(rig.view().min_password_length, 12) << "the prompt names the central's minimum";
    rig.frame(); // the answer came after the last frame was drawn: the kiosk redraws for it

    const std::string length = rig.plural("checklist.length", 12);
    const std::string match = rig.label("checklist.match");
    const std::string username = rig.label("checklist.username");
    EXPECT_EQ(rig.mark(length), ui::Mark::Cross);
    EXPECT_EQ(rig.mark(match), ui::Mark::Cross);
    EXPECT_EQ(rig.mark(username), ui::Mark::Cross);
    EXPECT_EQ(rig.mark(rig.label("checklist.lists")), ui::Mark::Pending);
    EXPECT_EQ(rig.mark(rig.plural("checklist.history", 3)), ui::Mark::Pending);
    EXPECT_FALSE(rig.mark(rig.plural("checklist.length", 15))) << "not the kiosk's default";
    EXPECT_EQ(rig.strength(), app::Strength::Empty);

    rig.tap_text("maple river");
    EXPECT_EQ(rig.mark(length), ui::Mark::Cross) << "11 characters";
    EXPECT_EQ(rig.mark(username), ui::Mark::Tick);
    EXPECT_NE(rig.strength(), app::Strength::Empty);
    rig.tap_text(" jd");
    EXPECT_EQ(rig.mark(length), ui::Mark::Tick) << "14 characters";
    EXPECT_EQ(rig.mark(username), ui::Mark::Tick);
    rig.tap_text("OE");
    EXPECT_EQ(rig.mark(username), ui::Mark::Cross) << "the username, whatever its case";
    EXPECT_EQ(rig.mark(match), ui::Mark::Cross);

    ASSERT_TRUE(rig.press_key("keyboard.next"));
    rig.tap_text("maple river jdOE");
    EXPECT_EQ(rig.mark(match), ui::Mark::Tick);
    // The central judges it as the checklist said: the username is refused there too.
    ASSERT_TRUE(rig.press_key("keyboard.done"));
    EXPECT_EQ(rig.view().screen, app::Screen::NewPassword);
    EXPECT_EQ(rig.view().notice, app::Notice::PasswordContainsUsername);
    EXPECT_FALSE(central.password_matches("jdoe", "maple river jdOE"));
}

// [activation] ------------------------------------------------------------------------------

namespace {

// The TOTP code of base32 `secret` now, by an independent implementation (oathtool).
std::string totp_now(const std::string& secret) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(("oathtool --totp -b " + secret).c_str(), "r"),
                                               pclose);
    std::array<char, 64> buffer{};
    std::string out;
    while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) {
        out += buffer.data();
    }
    out.erase(out.find_last_not_of("\r\n") + 1);
    return out;
}

} // namespace

// [verify] The method choice and the code screen by touch: SMS, the authenticator app, and
// "send a new code" with its countdown.

namespace {

// Lines in the central's demo outbox for `channel`: one per code or notice sent.
std::size_t outbox_lines(const kiosk::testing::CentralProcess& central,
                         const std::string& channel) {
    std::ifstream in(central.data_dir() / "outbox" / (channel + ".jsonl"));
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) {
        ++lines;
    }
    return lines;
}

// Attract -> home -> `task` -> identify as `who`: on the method choice.
void identify_by_touch(Rig& rig, std::string_view task, const std::string& who) {
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key(task));
    rig.type(who);
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::ChooseMethod);
}

} // namespace

TEST(FlowsUi, ActivationByTouchEnrolsTheAuthenticatorAndActivatesTheAccount) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.activate"));
    ASSERT_EQ(rig.view().screen, app::Screen::ActivateAccount);
    rig.type("kzielinski");
    rig.key(ImGuiKey_Enter); // on to the code field, like Tab
    rig.type("ACTV-DEMO-2026");
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    ASSERT_TRUE(rig.shown(rig.label("activate.password.submit")));
    ASSERT_TRUE(rig.shown(rig.label("password.show"))) << "the reset's own password screen";
    const std::string password = "Copper-Lantern-Harbour-Dawn";
    rig.type(password);
    rig.key(ImGuiKey_Tab);
    rig.type(password);
    ASSERT_TRUE(rig.press_key("activate.password.submit"));
    ASSERT_EQ(rig.view().screen, app::Screen::EnrolAuthenticator);
    std::string secret(rig.view().enrolment.secret_groups.view());
    std::erase(secret, ' ');
    ASSERT_TRUE(rig.press_key("enrol.next"));
    ASSERT_EQ(rig.view().screen, app::Screen::ConfirmAuthenticator);
    // Back to the QR code and forward again, then a wrong code on the keypad.
    ASSERT_TRUE(rig.press_key("enrol.code.back"));
    ASSERT_EQ(rig.view().screen, app::Screen::EnrolAuthenticator);
    ASSERT_TRUE(rig.press_key("enrol.next"));
    ASSERT_FALSE(rig.shown("q")) << "the app's code is typed on the keypad";
    const std::string right = totp_now(secret);
    const std::string wrong = right == "000000" ? "000001" : "000000";
    rig.tap_text(wrong);
    ASSERT_TRUE(rig.press_key("enrol.code.submit"));
    ASSERT_EQ(rig.view().notice, app::Notice::WrongCode);
    rig.tap_text(totp_now(secret));
    ASSERT_TRUE(rig.press_key("enrol.code.submit"));
    ASSERT_EQ(rig.view().screen, app::Screen::Done);
    EXPECT_EQ(rig.view().reference.rfind("ACT-", 0), 0u);
    EXPECT_TRUE(central.password_matches("kzielinski", password));
    ASSERT_TRUE(rig.press_key("done.finish"));
    EXPECT_EQ(rig.view().screen, app::Screen::Attract);
}

TEST(FlowsUi, AWrongActivationCodeComesBackWithTheNameKeptInHebrew) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    ASSERT_TRUE(rig.press("עברית"));
    ASSERT_TRUE(rig.press_key("attract.start"));
    ASSERT_TRUE(rig.press_key("home.activate"));
    rig.type("kzielinski");
    rig.key(ImGuiKey_Enter);
    rig.type("NOT-THE-CODE");
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    rig.type("Copper-Lantern-Harbour-Dawn");
    rig.key(ImGuiKey_Tab);
    rig.type("Copper-Lantern-Harbour-Dawn");
    ASSERT_TRUE(rig.press_key("activate.password.submit"));
    ASSERT_EQ(rig.view().screen, app::Screen::ActivateAccount);
    EXPECT_EQ(rig.view().notice, app::Notice::ActivationCodeInvalid);
    // The name is in its field again: only the code is typed, and the same password works.
    rig.type("ACTV-DEMO-2026");
    ASSERT_TRUE(rig.press_key("identify.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::NewPassword);
    rig.type("Copper-Lantern-Harbour-Dawn");
    rig.key(ImGuiKey_Tab);
    rig.type("Copper-Lantern-Harbour-Dawn");
    ASSERT_TRUE(rig.press_key("activate.password.submit"));
    EXPECT_EQ(rig.view().screen, app::Screen::EnrolAuthenticator);
    EXPECT_EQ(rig.view().identifier, "kzielinski");
    ASSERT_TRUE(rig.press_key("common.cancel"));
    EXPECT_EQ(rig.view().screen, app::Screen::Home);
    EXPECT_TRUE(rig.view().enrolment.otpauth_uri.empty()) << "leaving forgets the enrolment";
}

TEST(FlowsUi, ContactDetailsByTouchChangeTheAddressAndNumber) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    verify_by_touch(rig, central, "home.contact");
    ASSERT_EQ(rig.view().screen, app::Screen::ContactDetails);
    ASSERT_TRUE(rig.press_key("contact.submit"));
    EXPECT_EQ(rig.view().notice, app::Notice::ContactEmpty);
    rig.type("jane.new@example.org");
    rig.key(ImGuiKey_Tab);
    rig.type("+44 7700 900199");
    ASSERT_TRUE(rig.press_key("contact.submit"));
    ASSERT_EQ(rig.view().screen, app::Screen::Done) << static_cast<int>(rig.view().notice);
    EXPECT_TRUE(rig.view().contact_email_changed);
    EXPECT_TRUE(rig.view().contact_phone_changed);
    EXPECT_EQ(rig.view().reference.rfind("CNT-", 0), 0u);
    // The old address was told, with the receipt's reference.
    const auto notices = central.notices_for("jdoe");
    EXPECT_NE(std::find(notices.begin(), notices.end(), "contact_changed " + rig.view().reference),
              notices.end());
}

TEST(VerifyUi, ChoosingSmsSendsTheCodeByTextMessage) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    identify_by_touch(rig, "home.reset", "jdoe");
    EXPECT_TRUE(rig.shown(rig.label("verify.method.email", {{"hint", "j•••@example.com"}})));
    EXPECT_FALSE(rig.shown(rig.label("verify.method.totp"))) << "jdoe has no authenticator app";
    ASSERT_TRUE(rig.press(rig.label("verify.method.sms", {{"hint", "•••01"}})));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    EXPECT_EQ(rig.view().code_hint, "•••01");
    EXPECT_FALSE(central.latest_code_for("jdoe").has_value()) << "no e-mail was sent";
    const auto code = central.latest_code_for("jdoe", "sms");
    ASSERT_TRUE(code.has_value());
    rig.type(*code);
    ASSERT_TRUE(rig.press_key("code.continue"));
    EXPECT_EQ(rig.view().screen, app::Screen::NewPassword);
}

TEST(VerifyUi, TheAuthenticatorAppHasNoResendAndItsCodeVerifies) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    ASSERT_TRUE(rig.press("עברית")); // and in Hebrew
    identify_by_touch(rig, "home.status", "tnowak");
    ASSERT_TRUE(rig.press_key("verify.method.totp"));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    EXPECT_EQ(rig.view().method, "totp");
    EXPECT_FALSE(rig.shown(rig.label("verify.resend"))) << "an app's codes are not sent";
    EXPECT_TRUE(rig.shown(rig.label("verify.other_method")));
    rig.type(kiosk::testing::authenticator_code(kiosk::testing::kTnowakTotpSecret));
    ASSERT_TRUE(rig.press_key("code.continue"));
    ASSERT_EQ(rig.view().screen, app::Screen::AccountStatus);
    EXPECT_EQ(rig.view().status.display_name, "Tomasz Nowak");
    EXPECT_EQ(outbox_lines(central, "email") + outbox_lines(central, "sms"), 0u);
}

TEST(VerifyUi, ResendTooSoonShowsTheCountdownAndSendsNothing) {
    kiosk::testing::CentralProcess central;
    Rig rig(central);
    identify_by_touch(rig, "home.unlock", "jdoe");
    ASSERT_TRUE(rig.press(rig.label("verify.method.email", {{"hint", "j•••@example.com"}})));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    const int left = rig.view().resend_seconds_left;
    EXPECT_GE(left, 58);
    EXPECT_LE(left, 60);
    // The frame was drawn before the last tick: its number may be one second older.
    std::string waiting = rig.plural_label("verify.resend.wait", left);
    if (!rig.shown(waiting)) {
        waiting = rig.plural_label("verify.resend.wait", left + 1);
    }
    ASSERT_TRUE(rig.shown(waiting)) << "the button counts down: " << waiting;
    EXPECT_FALSE(rig.shown(rig.label("verify.resend")));
    rig.press(waiting); // disabled: a touch does nothing
    EXPECT_EQ(outbox_lines(central, "email"), 1u);
    EXPECT_EQ(rig.view().notice, app::Notice::None);
}

TEST(VerifyUi, ResendAfterTheCooldownSendsANewCode) {
    kiosk::testing::CentralProcess central({"--resend-cooldown", "1"});
    Rig rig(central);
    identify_by_touch(rig, "home.unlock", "jdoe");
    ASSERT_TRUE(rig.press(rig.label("verify.method.sms", {{"hint", "•••01"}})));
    ASSERT_EQ(rig.view().screen, app::Screen::EnterCode);
    const auto first = central.latest_code_for("jdoe", "sms").value();
    std::this_thread::sleep_for(1100ms);
    rig.frames(2);
    ASSERT_TRUE(rig.press_key("verify.resend"));
    EXPECT_EQ(rig.view().notice, app::Notice::CodeResent);
    EXPECT_EQ(outbox_lines(central, "sms"), 2u);
    const auto second = central.latest_code_for("jdoe", "sms").value();
    rig.type(second);
    ASSERT_TRUE(rig.press_key("code.continue"));
    EXPECT_EQ(rig.view().screen, app::Screen::Done) << "first " << first << " second " << second;
}
