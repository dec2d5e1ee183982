// Maintenance mode as staff meet it, with no window: Dear ImGui frames drawn headless, the
// chord and taps fed through ImGuiIO, buttons pressed by their labels, and every intent
// handed to a real app::Maintenance (real Argon2id PIN hash, real outbox in a temp folder).
// Time is moved by hand through the state machine's time_point parameters.
#include "kiosk/app/offline_services.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/assets/fonts.hpp"
#include "kiosk/ui/maintenance_screens.hpp"

#include <algorithm>
#include <argon2.h>
#include <array>
#include <cstring>
#include <gtest/gtest.h>
#include <imgui.h>
#include <nlohmann/json.hpp>
#include <random>

using namespace kiosk;
using namespace std::chrono_literals;
namespace mi = kiosk::app::maintenance_intent;
using app::MaintenancePage;

namespace {

constexpr const char* kPin = "2468";

std::string argon2id_of(const char* pin) {
    const std::array<unsigned char, 16> salt{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
    std::string phc(argon2_encodedlen(2, 19456, 1, salt.size(), 32, Argon2_id), '\0');
    EXPECT_EQ(argon2id_hash_encoded(2, 19456, 1, pin, std::strlen(pin), salt.data(), salt.size(),
                                    32, phc.data(), phc.size()),
              ARGON2_OK);
    phc.resize(std::strlen(phc.c_str()));
    return phc;
}

// A kiosk's maintenance mode on a headless Dear ImGui, its outbox in a fresh temp folder.
class StaffAtTheKiosk {
public:
    StaffAtTheKiosk() : context_(ImGui::CreateContext()) {
        std::random_device random;
        dir_ = std::filesystem::temp_directory_path() /
               ("maintenance-ui-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(dir_);
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        // The key codes the GLFW backend maps (Dear ImGui 1.86 leaves them unmapped).
        io.KeyMap[ImGuiKey_Enter] = 257;
        io.KeyMap[ImGuiKey_Backspace] = 259;
        io.KeyMap[ImGuiKey_Escape] = 256;
        io.KeyMap[ImGuiKey_KeyPadEnter] = 335;
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
        screens_ = std::make_unique<ui::MaintenanceScreens>(*catalogs_, fonts_);

        app::OfflineSettings offline;
        offline.outbox_file = dir_ / "outbox.db";
        offline_ = app::OfflineServices::open("https://127.0.0.1:1", {}, offline, error);
        if (!offline_) {
            throw std::runtime_error(error);
        }
        config::MaintenanceAccess access;
        access.staff_pin_hash = argon2id_of(kPin);
        access.staff_badges = {"B-1001"};
        app::MaintenanceHooks hooks;
        hooks.access = [access] { return access; };
        app::MaintenanceSettings settings;
        settings.kiosk_id = "kiosk-lobby-1";
        settings.version = "1.2.3";
        settings.state_dir = dir_;
        settings.timeout = 120s;
        maintenance_ = std::make_unique<app::Maintenance>(worker_, inbox_, settings, hooks,
                                                          offline_.get(), now_);
    }
    ~StaffAtTheKiosk() {
        maintenance_.reset();
        screens_.reset();
        ImGui::DestroyContext(context_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    StaffAtTheKiosk(const StaffAtTheKiosk&) = delete;
    StaffAtTheKiosk& operator=(const StaffAtTheKiosk&) = delete;

    // One frame as the kiosk's loop draws it; staff's intents go to the state machine.
    void frame() {
        ImGui::GetIO().DeltaTime = 1.0f / 60.0f;
        ImGui::NewFrame();
        auto intents = screens_->watch_for_entry();
        if (maintenance_->open()) {
            auto drawn = screens_->draw(maintenance_->view());
            intents.insert(intents.end(), std::make_move_iterator(drawn.begin()),
                           std::make_move_iterator(drawn.end()));
        }
        ImGui::Render();
        for (auto& intent : intents) {
            maintenance_->handle(std::move(intent), now_);
        }
        worker_.wait_idle();
        inbox_.drain();
        worker_.wait_idle();
        inbox_.drain();
        maintenance_->tick(now_);
    }

    void press(const std::string& label) {
        const auto* c = control(label);
        if (c == nullptr) {
            ADD_FAILURE() << "no control labelled " << label;
            return;
        }
        touch_at((c->left + c->right) / 2, (c->top + c->bottom) / 2);
    }
    void touch_at(float x, float y) {
        ImGuiIO& io = ImGui::GetIO();
        for (const bool down : {false, true, false, false}) {
            io.MousePos = ImVec2(x, y);
            io.MouseDown[0] = down;
            frame();
        }
    }
    void chord() {
        ImGuiIO& io = ImGui::GetIO();
        io.KeyCtrl = io.KeyAlt = true;
        io.KeysDown['M'] = true;
        frame();
        io.KeysDown['M'] = false;
        io.KeyCtrl = io.KeyAlt = false;
        frame();
    }
    void type_on_pad(const std::string& pin) {
        for (char c : pin) {
            press(std::string(1, c));
        }
        press(text("maint.unlock.ok"));
        frame();
    }
    void pass(std::chrono::seconds s) {
        now_ += s;
        maintenance_->tick(now_);
        frame();
    }

    [[nodiscard]] const ui::Control* control(const std::string& label) const {
        for (const auto& c : screens_->controls()) {
            if (c.label == label) {
                return &c;
            }
        }
        return nullptr;
    }
    [[nodiscard]] std::string text(const char* key) const {
        return catalogs_->of(maintenance_->view().language).text(key);
    }
    std::vector<std::string> audit_actions() {
        std::vector<std::string> out;
        for (const auto& item : offline_->outbox().next_batch(1000)) {
            if (item.route == "/v1/kiosks/audit-events") {
                out.push_back(nlohmann::json::parse(item.body).at("action").get<std::string>());
            }
        }
        return out;
    }
    const app::MaintenanceView& view() const { return maintenance_->view(); }
    app::Maintenance& machine() { return *maintenance_; }
    offline::Outbox& outbox() { return offline_->outbox(); }
    ui::MaintenanceScreens& screens() { return *screens_; }

private:
    ImGuiContext* context_;
    std::filesystem::path dir_;
    ui::FontSets fonts_;
    std::optional<assets::Catalogs> catalogs_;
    std::unique_ptr<ui::MaintenanceScreens> screens_;
    app::UiInbox inbox_; // outlives the worker, whose last jobs may still post to it
    app::BackgroundWorker worker_;
    std::unique_ptr<app::OfflineServices> offline_;
    app::Clock::time_point now_ = app::Clock::time_point{} + 5000h;
    std::unique_ptr<app::Maintenance> maintenance_;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST(MaintenanceScreens, TheChordThenTheRightPinOnThePadOpensIt) {
    StaffAtTheKiosk staff;
    staff.frame();
    EXPECT_FALSE(staff.machine().open()) << "nothing opens it by itself";
    staff.chord();
    ASSERT_EQ(staff.view().page, MaintenancePage::Unlock);
    for (const char* key : {"1", "5", "9", "0", "OK", "Delete", "Cancel"}) {
        EXPECT_NE(staff.control(key), nullptr) << key;
    }
    const auto* one = staff.control("1");
    ASSERT_NE(one, nullptr);
    EXPECT_GE(one->bottom - one->top, 56.0f) << "touch-sized keys";
    staff.type_on_pad(kPin);
    ASSERT_EQ(staff.view().page, MaintenancePage::Connectivity);
    for (const char* label : {"Connection", "Queue", "Configuration", "Device", "Logs", "Service",
                              "Enrolment", "Exit"}) {
        EXPECT_NE(staff.control(label), nullptr) << label;
    }
    EXPECT_TRUE(contains(staff.audit_actions(), "maintenance.entered"));
}

TEST(MaintenanceScreens, AWrongPinSaysSoAndTheThirdLocksThePadForFiveSeconds) {
    StaffAtTheKiosk staff;
    staff.chord();
    staff.type_on_pad("1111");
    EXPECT_EQ(staff.view().notice, app::UnlockNotice::WrongPin);
    staff.type_on_pad("1112");
    staff.type_on_pad("1113");
    EXPECT_EQ(staff.view().notice, app::UnlockNotice::LockedOut);
    EXPECT_EQ(staff.view().lockout_seconds_left, 5);
    staff.press("2");
    EXPECT_EQ(staff.view().pin_digits, 0) << "the pad is disabled while locked";
    staff.pass(4s);
    EXPECT_EQ(staff.view().lockout_seconds_left, 1);
    staff.pass(1s);
    EXPECT_EQ(staff.view().lockout_seconds_left, 0);
    staff.type_on_pad(kPin);
    EXPECT_EQ(staff.view().page, MaintenancePage::Connectivity);
    const auto actions = staff.audit_actions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "maintenance.pin_failed"), 3);
}

TEST(MaintenanceScreens, FiveTapsInTheTopLeftCornerOpenThePinPad) {
    StaffAtTheKiosk staff;
    for (int i = 0; i < 5; ++i) {
        staff.touch_at(12, 12);
    }
    EXPECT_EQ(staff.view().page, MaintenancePage::Unlock);
}

TEST(MaintenanceScreens, ABadgeReaderBurstOpensIt) {
    StaffAtTheKiosk staff;
    staff.chord();
    ImGuiIO& io = ImGui::GetIO();
    io.AddInputCharactersUTF8("B-1001"); // a wedge reader types the ID and Enter at once
    staff.frame();
    io.KeysDown[io.KeyMap[ImGuiKey_Enter]] = true;
    staff.frame();
    io.KeysDown[io.KeyMap[ImGuiKey_Enter]] = false;
    staff.frame();
    EXPECT_EQ(staff.view().page, MaintenancePage::Connectivity);
    EXPECT_EQ(staff.view().actor, "badge B-1001");
}

TEST(MaintenanceScreens, EachActionByItsButtonIsDoneAndAudited) {
    StaffAtTheKiosk staff;
    for (const char* key : {"k-1", "k-2"}) {
        ASSERT_TRUE(std::holds_alternative<std::string>(
            staff.outbox().enqueue({"/v1/tickets", R"({"d":1})", false, key})));
    }
    std::vector<offline::Outcome> dead;
    for (const auto& item : staff.outbox().next_batch(10)) {
        dead.push_back({item.id, offline::Outcome::Kind::Dead, "validation_failed", 0});
    }
    std::string error;
    ASSERT_TRUE(staff.outbox().apply(dead, error)) << error;

    staff.chord();
    staff.type_on_pad(kPin);
    staff.press("Refresh");
    staff.press("Queue");
    ASSERT_EQ(staff.view().page, MaintenancePage::Queue);
    EXPECT_EQ(staff.view().queue.dead, 2u);
    staff.press("Clear…");
    EXPECT_TRUE(staff.view().confirm_clear) << "clearing asks first";
    EXPECT_EQ(staff.outbox().counts().dead, 2u);
    staff.press("Cancel");
    EXPECT_FALSE(staff.view().confirm_clear);
    staff.press("Retry all");
    EXPECT_EQ(staff.outbox().counts().dead, 0u);
    EXPECT_TRUE(staff.view().last_result.ok);

    dead.clear();
    for (const auto& item : staff.outbox().next_batch(100)) {
        if (item.route == "/v1/tickets") {
            dead.push_back({item.id, offline::Outcome::Kind::Dead, "validation_failed", 0});
        }
    }
    ASSERT_TRUE(staff.outbox().apply(dead, error)) << error;
    staff.press("Device");
    EXPECT_EQ(staff.view().device.kiosk_id, "kiosk-lobby-1");
    staff.press("Queue");
    staff.press("Clear…");
    staff.press("Yes, delete");
    EXPECT_EQ(staff.outbox().counts().dead, 0u);
    EXPECT_EQ(staff.view().last_action, app::ActionKind::Clear);

    staff.press("Configuration");
    staff.press("Pull now");
    EXPECT_EQ(staff.view().last_action, app::ActionKind::PullConfig);
    staff.press("Revert");
    EXPECT_EQ(staff.view().last_action, app::ActionKind::RevertConfig);

    staff.press("Logs");
    EXPECT_EQ(staff.view().page, MaintenancePage::Logs);
    staff.press("Enrolment");
    EXPECT_EQ(staff.view().page, MaintenancePage::Enrolment);
    EXPECT_NE(staff.control("Enrol"), nullptr);

    staff.press("Service");
    staff.press("Take out of service");
    EXPECT_TRUE(staff.machine().out_of_service());
    staff.press("Put back in service");
    EXPECT_FALSE(staff.machine().out_of_service());
    staff.press("Take out of service");
    staff.press("Exit");
    EXPECT_EQ(staff.view().page, MaintenancePage::Closed);

    // The attract screen's stand-in offers nothing to press.
    ImGui::NewFrame();
    staff.screens().draw_out_of_service("en");
    ImGui::Render();
    EXPECT_TRUE(staff.screens().controls().empty());

    const auto actions = staff.audit_actions();
    for (const char* action :
         {"maintenance.entered", "queue.retry", "queue.clear", "config.pull", "config.revert",
          "service.out_of_service_on", "service.out_of_service_off", "maintenance.exit"}) {
        EXPECT_TRUE(contains(actions, action)) << action;
    }
}

TEST(MaintenanceScreens, LeavesByItselfAfterTheIdleTimeout) {
    StaffAtTheKiosk staff;
    staff.chord();
    staff.type_on_pad(kPin);
    staff.pass(119s);
    EXPECT_TRUE(staff.machine().open());
    staff.pass(1s);
    EXPECT_FALSE(staff.machine().open());
    EXPECT_TRUE(contains(staff.audit_actions(), "maintenance.exit"));
}

TEST(MaintenanceScreens, HebrewPutsTheMenuOnTheRight) {
    StaffAtTheKiosk staff;
    // The kiosk's default language is what staff see; here it is switched by hand.
    app::MaintenanceView view = staff.view();
    view.page = MaintenancePage::Queue;
    view.language = "he";
    view.queue.available = true;
    view.queue.dead = 1;
    ImGui::NewFrame();
    staff.screens().draw(view);
    ImGui::Render();
    ImGui::NewFrame();
    staff.screens().draw(view);
    ImGui::Render();
    std::string error;
    const auto catalogs = assets::Catalogs::load_shipped(error);
    ASSERT_TRUE(catalogs) << error;
    const auto* menu = staff.control(catalogs->of("he").text("maint.nav.queue"));
    const auto* retry = staff.control(catalogs->of("he").text("maint.queue.retry"));
    const auto* clear = staff.control(catalogs->of("he").text("maint.queue.clear"));
    ASSERT_NE(menu, nullptr);
    ASSERT_NE(retry, nullptr);
    ASSERT_NE(clear, nullptr);
    EXPECT_GT(menu->left, retry->right) << "the menu sits on the right in Hebrew";
    EXPECT_LT(retry->left, clear->left) << "forward on the left, back on the right";
}
