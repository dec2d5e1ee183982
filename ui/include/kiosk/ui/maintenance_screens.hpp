// MaintenanceScreens: draws maintenance mode's view model (PIN pad, then a page per
// app::MaintenancePage beside a touch-sized menu) and the "out of service" stand-in for the
// attract screen, and returns staff's intents. Also watches every frame for the way in: the
// key chord and the taps in the corner. Holds only what ImGui needs between frames (the
// enrolment code, the staff verification form), wiped whenever the page changes.
#pragma once

#include "kiosk/app/maintenance.hpp"
#include "kiosk/app/maintenance_tour.hpp"
#include "kiosk/assets/catalog.hpp"
#include "kiosk/ui/theme.hpp"
#include "kiosk/ui/widgets.hpp"

#include <array>
#include <filesystem>
#include <imgui.h>
#include <string>
#include <vector>

namespace kiosk::ui {

// The hidden corner: a square this fraction of the screen's shorter side, at the top left
// whatever the language, so staff find it on every kiosk.
inline constexpr float kMaintenanceCornerFraction = 0.1f;

class MaintenanceScreens {
public:
    // `catalogs` must outlive the screens.
    MaintenanceScreens(const assets::Catalogs& catalogs, FontSets fonts);
    ~MaintenanceScreens();
    MaintenanceScreens(const MaintenanceScreens&) = delete;
    MaintenanceScreens& operator=(const MaintenanceScreens&) = delete;

    // Ctrl+Alt+M pressed, or a tap in the hidden corner, this frame. Call every frame
    // between ImGui::NewFrame() and ImGui::Render(), whatever else is drawn.
    [[nodiscard]] std::vector<app::MaintenanceIntent> watch_for_entry() const;

    // Call between ImGui::NewFrame() and ImGui::Render() while view.page != Closed.
    std::vector<app::MaintenanceIntent> draw(const app::MaintenanceView& view);

    // What the attract screen shows while the kiosk is out of service: no way to start.
    void draw_out_of_service(const std::string& language);

    // Wipes the enrolment code and the verification form: ours and Dear ImGui's copies.
    void wipe_inputs();

    [[nodiscard]] const std::vector<Control>& controls() const { return controls_; }
    [[nodiscard]] bool settling() const { return settling_; }

private:
    void begin(const std::string& language);
    void end();
    void draw_unlock(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_keypad(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_menu(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_connectivity(const app::MaintenanceView& view,
                           std::vector<app::MaintenanceIntent>& out);
    void draw_queue(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_config(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_device(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_logs(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_service(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_enrolment(const app::MaintenanceView& view, std::vector<app::MaintenanceIntent>& out);
    void draw_verify_user(const app::MaintenanceView& view,
                          std::vector<app::MaintenanceIntent>& out);
    void draw_result(const app::MaintenanceView& view, app::ActionKind kind);
    struct Row {
        std::string label;
        std::string value;
        bool technical = false; // a path, URL or ID: always left to right
    };
    // Label and value side by side (the label at the line's start side).
    void rows(const std::vector<Row>& rows);
    bool button(const std::string& label, bool primary, float width, bool enabled = true);
    [[nodiscard]] std::string text(std::string_view key) const { return catalog_->text(key); }
    [[nodiscard]] std::string duration(std::int64_t seconds) const;
    [[nodiscard]] std::string
    when(const std::optional<app::ConnectivityStatus::SystemTime>& at) const;
    [[nodiscard]] std::string megabytes(std::optional<std::uint64_t> bytes) const;

    const assets::Catalogs& catalogs_;
    FontSets fonts_;
    const assets::Catalog* catalog_ = nullptr;
    Widgets ui_;
    std::vector<Control> controls_;
    float fit_ = 1.0f;
    bool settling_ = false;
    app::MaintenancePage shown_page_ = app::MaintenancePage::Closed;
    std::array<char, 65> enrolment_code_{};
    // The VerifyUser form: the user's identifier, the staff credential (a secret), the reason.
    std::array<char, 255> verify_identifier_{};
    std::array<char, 257> staff_credential_{};
    std::array<char, 201> verify_reason_{};
    bool id_checked_ = false;
    ImGuiStyle saved_style_; // the walk-up screens' style, put back after each draw
};

class KioskWindow;

// Draws each maintenance stop in the window until it has settled and saves it as
// DIR/<name>.png, printing each path. Returns how many could not be saved.
int run_maintenance_screenshot_tour(KioskWindow& window, MaintenanceScreens& screens,
                                    const std::vector<app::MaintenanceTourStop>& stops,
                                    const std::filesystem::path& dir);

} // namespace kiosk::ui
