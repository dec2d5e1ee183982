// Maintenance mode's screens. Each draw_* only reads the view model and the catalog and
// reports what staff did as intents; app::Maintenance decides and does the work. Values
// that come from other parts (URLs, error details, log lines) are shown as they are;
// every label around them comes from the catalogs.
#include "kiosk/ui/maintenance_screens.hpp"

#include "kiosk/common/secret.hpp"
#include "kiosk/config/rfc3339.hpp"
#include "kiosk/ui/keyboard.hpp"
#include "kiosk/ui/screenshot.hpp"
#include "kiosk/ui/window.hpp"
#include "kiosk/ui/wipe_imgui_text.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <imgui.h>
#include <spdlog/spdlog.h>

namespace kiosk::ui {
namespace {

namespace mi = app::maintenance_intent;

// Dear ImGui 1.86 indexes keys by the backend's codes; GLFW's letter keys are their
// upper-case ASCII codes.
constexpr int kKeyM = 'M';

struct MenuEntry {
    app::MaintenancePage page;
    const char* key;
};
constexpr MenuEntry kMenu[] = {
    {app::MaintenancePage::Connectivity, "maint.nav.connectivity"},
    {app::MaintenancePage::Queue, "maint.nav.queue"},
    {app::MaintenancePage::Config, "maint.nav.config"},
    {app::MaintenancePage::Device, "maint.nav.device"},
    {app::MaintenancePage::Logs, "maint.nav.logs"},
    {app::MaintenancePage::Service, "maint.nav.service"},
    {app::MaintenancePage::Enrolment, "maint.nav.enrolment"},
    {app::MaintenancePage::VerifyUser, "maint.nav.verify"},
};

constexpr std::size_t kLogLinesShown = 12;
constexpr std::size_t kDeadLettersShown = 4;

bool key_pressed(ImGuiKey key) {
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), false);
}

} // namespace

MaintenanceScreens::MaintenanceScreens(const assets::Catalogs& catalogs, FontSets fonts)
    : catalogs_(catalogs), fonts_(fonts), catalog_(&catalogs.of("en")),
      ui_(fonts.regular, palette(false), false) {}

MaintenanceScreens::~MaintenanceScreens() {
    wipe_inputs();
}

void MaintenanceScreens::wipe_inputs() {
    wipe_imgui_text_state();
    secure_wipe(enrolment_code_.data(), enrolment_code_.size());
    secure_wipe(verify_identifier_.data(), verify_identifier_.size());
    secure_wipe(staff_credential_.data(), staff_credential_.size());
    secure_wipe(verify_reason_.data(), verify_reason_.size());
    id_checked_ = false;
}

std::vector<app::MaintenanceIntent> MaintenanceScreens::watch_for_entry() const {
    std::vector<app::MaintenanceIntent> out;
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && io.KeyAlt && ImGui::IsKeyPressed(kKeyM, false)) {
        out.emplace_back(mi::Summon{});
    }
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        const ImGuiViewport* viewport = ImGui::GetMainViewport();
        const float side =
            std::min(viewport->Size.x, viewport->Size.y) * kMaintenanceCornerFraction;
        const ImVec2 at = io.MouseClickedPos[ImGuiMouseButton_Left];
        if (at.x >= viewport->Pos.x && at.y >= viewport->Pos.y && at.x < viewport->Pos.x + side &&
            at.y < viewport->Pos.y + side) {
            out.emplace_back(mi::CornerTap{});
        }
    }
    return out;
}

void MaintenanceScreens::begin(const std::string& language) {
    // Staff pages use the regular palette whatever the last walk-up user chose; the
    // style is put back in end() so the walk-up screens find theirs.
    saved_style_ = ImGui::GetStyle();
    apply_palette(palette(false));
    // The window clears each frame to the walk-up style's background, which end() puts
    // back before rendering (pages draw none of their own: see Widgets::begin_page), and
    // which is black in high contrast: staff pages paint their own behind everything.
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::GetBackgroundDrawList()->AddRectFilled(
        viewport->Pos,
        ImVec2(viewport->Pos.x + viewport->Size.x, viewport->Pos.y + viewport->Size.y),
        palette(false).background);
    catalog_ = &catalogs_.of(language);
    controls_.clear();
    ui_ = Widgets(fonts_.regular, palette(false), assets::is_right_to_left(language), &controls_,
                  &fit_);
}

std::vector<app::MaintenanceIntent> MaintenanceScreens::draw(const app::MaintenanceView& view) {
    if (view.page != shown_page_) {
        wipe_inputs(); // a code typed on one page is not kept for another
        shown_page_ = view.page;
        fit_ = 1.0f;
    }
    const float fit_before = fit_;
    begin(view.language);
    ImGui::PushFont(fonts_.regular.body);
    std::vector<app::MaintenanceIntent> out;
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.InputQueueCharacters.empty() || ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        out.emplace_back(mi::Activity{});
    }
    switch (view.page) {
    case app::MaintenancePage::Closed:
        break;
    case app::MaintenancePage::Unlock:
        draw_unlock(view, out);
        break;
    default:
        // Escape leaves from every page, as from the PIN pad (a keyboard at the kiosk).
        if (key_pressed(ImGuiKey_Escape)) {
            out.emplace_back(mi::Exit{});
        }
        draw_menu(view, out);
        break;
    }
    ImGui::PopFont();
    end();
    settling_ = fit_ != fit_before;
    return out;
}

void MaintenanceScreens::end() {
    ImGui::GetStyle() = saved_style_;
}

void MaintenanceScreens::draw_out_of_service(const std::string& language) {
    begin(language);
    ImGui::PushFont(fonts_.regular.body);
    ui_.begin_page("out-of-service", text("app.name"));
    ui_.vertical_space(1.0f);
    ui_.headline(text("oos.title"));
    ui_.vertical_space(0.4f);
    ui_.paragraph(text("oos.body"));
    ui_.end_page();
    ImGui::PopFont();
    end();
}

bool MaintenanceScreens::button(const std::string& label, bool primary, float width, bool enabled) {
    const Palette& p = ui_.colours();
    const auto c = [](unsigned abgr) { return ImGui::ColorConvertU32ToFloat4(abgr); };
    if (!enabled) {
        ImGui::BeginDisabled();
    }
    if (primary) {
        ImGui::PushStyleColor(ImGuiCol_Text, c(p.on_primary));
    } else {
        ImGui::PushStyleColor(ImGuiCol_Button, c(p.secondary));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, c(p.secondary));
        ImGui::PushStyleColor(ImGuiCol_ButtonActive, c(p.border));
        ImGui::PushStyleColor(ImGuiCol_Text, c(p.primary));
        ImGui::PushStyleColor(ImGuiCol_Border, c(p.primary));
    }
    const bool pressed =
        ImGui::Button(ui_.visual(label).c_str(), ImVec2(width, ImGui::GetFontSize() * 2.4f));
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    controls_.push_back({label, min.x, min.y, max.x, max.y});
    ImGui::PopStyleColor(primary ? 1 : 5);
    if (!enabled) {
        ImGui::EndDisabled();
    }
    return pressed && enabled;
}

// [unlock] ---------------------------------------------------------------------------------

void MaintenanceScreens::draw_unlock(const app::MaintenanceView& view,
                                     std::vector<app::MaintenanceIntent>& out) {
    // A physical keyboard, or a badge reader that types like one.
    const ImGuiIO& io = ImGui::GetIO();
    for (const ImWchar c : io.InputQueueCharacters) {
        out.emplace_back(mi::Typed{static_cast<char32_t>(c)});
    }
    if (key_pressed(ImGuiKey_Enter) || key_pressed(ImGuiKey_KeyPadEnter)) {
        out.emplace_back(mi::TypedEnter{});
    }
    if (key_pressed(ImGuiKey_Backspace)) {
        out.emplace_back(mi::PinBackspace{});
    }
    if (key_pressed(ImGuiKey_Escape)) {
        out.emplace_back(mi::Exit{});
    }

    ui_.begin_page("maintenance-unlock", text("maint.title"));
    ui_.title(text("maint.unlock.title"));
    ui_.paragraph(text("maint.unlock.prompt"));
    ui_.vertical_space(0.3f);
    // The typed digits as dots, centred; a dash line when none yet.
    {
        std::string dots;
        for (int i = 0; i < view.pin_digits; ++i) {
            dots += i == 0 ? "\xE2\x80\xA2" : " \xE2\x80\xA2"; // U+2022, in the font atlas
        }
        ImGui::PushFont(fonts_.regular.title);
        const std::string shown = dots.empty() ? std::string("\xE2\x80\x94") : dots; // U+2014
        const float width = ImGui::CalcTextSize(shown.c_str()).x;
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() +
                             std::max(0.0f, (ImGui::GetContentRegionAvail().x - width) * 0.5f));
        ImGui::TextUnformatted(shown.c_str());
        ImGui::PopFont();
    }
    switch (view.notice) {
    case app::UnlockNotice::None:
        break;
    case app::UnlockNotice::WrongPin:
        ui_.notice_box(text("maint.notice.wrong_pin"));
        break;
    case app::UnlockNotice::BadgeRefused:
        ui_.notice_box(text("maint.notice.badge_refused"));
        break;
    case app::UnlockNotice::LockedOut:
        ui_.notice_box(catalog_->plural("maint.notice.locked_out", view.lockout_seconds_left));
        break;
    case app::UnlockNotice::NoStaffAccess:
        ui_.notice_box(text("maint.notice.no_access"));
        break;
    }
    if (view.verifying) {
        ui_.busy_indicator(text("maint.unlock.checking"));
    }
    ui_.vertical_space(0.2f);
    draw_keypad(view, out);
    ui_.end_page();
}

void MaintenanceScreens::draw_keypad(const app::MaintenanceView& view,
                                     std::vector<app::MaintenanceIntent>& out) {
    // The walk-up code keypad (telephone order, never mirrored; Delete and OK change places
    // in a right-to-left language), with the staff's Cancel under it.
    const bool locked = view.lockout_seconds_left > 0 || view.verifying;
    const KeypadPress press =
        numeric_keypad(ui_, text("maint.unlock.delete"), text("maint.unlock.ok"), !locked,
                       ImGui::GetFontSize() * 2.4f);
    switch (press.key) {
    case KeypadPress::Ok:
        out.emplace_back(mi::PinSubmit{});
        break;
    case KeypadPress::Erase:
        out.emplace_back(mi::PinBackspace{});
        break;
    case KeypadPress::Digit:
        out.emplace_back(mi::PinDigit{press.digit});
        break;
    case KeypadPress::None:
        break;
    }
    const float pad_width =
        std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 16.0f);
    ui_.vertical_space(0.3f);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() +
                         (ImGui::GetContentRegionAvail().x - pad_width) * 0.5f);
    if (button(text("maint.cancel"), false, pad_width)) {
        out.emplace_back(mi::Exit{});
    }
}

// [pages] ----------------------------------------------------------------------------------

void MaintenanceScreens::draw_menu(const app::MaintenanceView& view,
                                   std::vector<app::MaintenanceIntent>& out) {
    ui_.begin_page("maintenance", text("maint.title") + " \xC2\xB7 " + view.device.kiosk_id);
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float total = ImGui::GetContentRegionAvail().x;
    const float height = ImGui::GetContentRegionAvail().y;
    const float menu_width = total * 0.3f;
    const float page_width = total - menu_width - spacing * 2;
    // The menu sits on the line's start side: left, or right in Hebrew.
    for (int slot = 0; slot < 2; ++slot) {
        const bool menu = (slot == 0) != ui_.right_to_left();
        if (slot == 1) {
            ImGui::SameLine(0.0f, spacing * 2);
        }
        if (menu) {
            ImGui::BeginChild("menu", ImVec2(menu_width, height), false,
                              ImGuiWindowFlags_NoBackground);
            // Nine pages and Exit must fit a 800-pixel screen without scrolling (a touch
            // screen cannot drag-scroll): tighter than the walk-up buttons, still >= 42 px.
            const ImGuiStyle& style = ImGui::GetStyle();
            ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                                ImVec2(style.FramePadding.x, style.FramePadding.y * 0.55f));
            ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing,
                                ImVec2(style.ItemSpacing.x, style.ItemSpacing.y * 0.45f));
            for (const auto& entry : kMenu) {
                if (button(text(entry.key), entry.page == view.page, -FLT_MIN, !view.busy)) {
                    out.emplace_back(mi::Show{entry.page});
                }
            }
            ui_.vertical_space(0.3f);
            if (button(text("maint.nav.exit"), false, -FLT_MIN)) {
                out.emplace_back(mi::Exit{});
            }
            ImGui::PopStyleVar(2);
            ImGui::EndChild();
            continue;
        }
        ImGui::BeginChild("page", ImVec2(page_width, height), false, ImGuiWindowFlags_NoBackground);
        switch (view.page) {
        case app::MaintenancePage::Connectivity:
            draw_connectivity(view, out);
            break;
        case app::MaintenancePage::Queue:
            draw_queue(view, out);
            break;
        case app::MaintenancePage::Config:
            draw_config(view, out);
            break;
        case app::MaintenancePage::Device:
            draw_device(view, out);
            break;
        case app::MaintenancePage::Logs:
            draw_logs(view, out);
            break;
        case app::MaintenancePage::Service:
            draw_service(view, out);
            break;
        case app::MaintenancePage::Enrolment:
            draw_enrolment(view, out);
            break;
        case app::MaintenancePage::VerifyUser:
            draw_verify_user(view, out);
            break;
        case app::MaintenancePage::Closed:
        case app::MaintenancePage::Unlock:
            break;
        }
        if (view.busy) {
            ui_.busy_indicator(text("maint.busy"));
        }
        ImGui::EndChild();
    }
    ui_.end_page();
}

void MaintenanceScreens::rows(const std::vector<Row>& rows) {
    if (!ImGui::BeginTable("rows", 2, ImGuiTableFlags_SizingStretchProp)) {
        return;
    }
    const bool rtl = ui_.right_to_left();
    // In Hebrew the label column is the right one: columns are laid out left to right.
    ImGui::TableSetupColumn("a", ImGuiTableColumnFlags_WidthStretch, rtl ? 0.62f : 0.38f);
    ImGui::TableSetupColumn("b", ImGuiTableColumnFlags_WidthStretch, rtl ? 0.38f : 0.62f);
    for (const auto& row : rows) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(rtl ? 1 : 0);
        ui_.muted(row.label);
        ImGui::TableSetColumnIndex(rtl ? 0 : 1);
        if (!row.technical) {
            ui_.paragraph(row.value);
            continue;
        }
        // Paths, URLs and IDs read left to right in every language: reordered as part of
        // a Hebrew line, "/var/lib/kiosk" would show its slash at the wrong end.
        const float width = ImGui::CalcTextSize(row.value.c_str()).x;
        const float avail = ImGui::GetContentRegionAvail().x;
        if (rtl && width < avail) {
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - width);
        }
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(row.value.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
}

std::string MaintenanceScreens::duration(std::int64_t seconds) const {
    const long s = static_cast<long>(std::max<std::int64_t>(0, seconds));
    if (s < 120) {
        return catalog_->plural("maint.duration.seconds", s);
    }
    if (s < 2 * 3600) {
        return catalog_->plural("maint.duration.minutes", s / 60);
    }
    if (s < 2 * 86400) {
        return catalog_->plural("maint.duration.hours", s / 3600);
    }
    return catalog_->plural("maint.duration.days", s / 86400);
}

std::string
MaintenanceScreens::when(const std::optional<app::ConnectivityStatus::SystemTime>& at) const {
    if (!at) {
        return text("maint.never");
    }
    return assets::format_date_time(*catalog_, config::format_rfc3339(*at));
}

std::string MaintenanceScreens::megabytes(std::optional<std::uint64_t> bytes) const {
    if (!bytes) {
        return text("maint.unknown");
    }
    return catalog_->format("maint.megabytes", {{"n", std::to_string(*bytes / (1024 * 1024))}});
}

void MaintenanceScreens::draw_result(const app::MaintenanceView& view, app::ActionKind kind) {
    if (view.last_action != kind || view.busy) {
        return;
    }
    const auto& r = view.last_result;
    if (r.ok) {
        ui_.title(catalog_->format("maint.result.done", {{"detail", r.detail}}),
                  ui_.colours().success);
    } else {
        ui_.notice_box(catalog_->format("maint.result.failed", {{"detail", r.detail}}));
    }
}

void MaintenanceScreens::draw_connectivity(const app::MaintenanceView& view,
                                           std::vector<app::MaintenanceIntent>& out) {
    const auto& c = view.connectivity;
    ui_.title(text("maint.conn.title"));
    std::string state = text("maint.conn.unknown");
    if (c.state == app::Reachability::Online) {
        state = text("maint.conn.online");
    } else if (c.state == app::Reachability::Offline) {
        state = text("maint.conn.offline");
    }
    std::vector<Row> r = {
        {text("maint.conn.central"), c.central_url.empty() ? text("maint.unknown") : c.central_url,
         !c.central_url.empty()},
        {text("maint.conn.state"), state},
        {text("maint.conn.latency"),
         c.latency
             ? catalog_->format("maint.milliseconds", {{"n", std::to_string(c.latency->count())}})
             : text("maint.unknown")},
        {text("maint.conn.peer"), c.peer_subject.empty() ? text("maint.unknown") : c.peer_subject,
         !c.peer_subject.empty()},
        {text("maint.conn.peer_expiry"),
         c.peer_not_after ? when(c.peer_not_after) : text("maint.unknown")},
        {text("maint.conn.last_sync"), when(c.last_sync)},
    };
    if (!c.last_failure_reason.empty()) {
        r.push_back({text("maint.conn.last_failure"), c.last_failure_reason});
    }
    rows(r);
    ui_.vertical_space(0.4f);
    if (ui_.secondary_button(text("maint.refresh"), !view.busy)) {
        out.emplace_back(mi::Refresh{});
    }
}

void MaintenanceScreens::draw_queue(const app::MaintenanceView& view,
                                    std::vector<app::MaintenanceIntent>& out) {
    const auto& q = view.queue;
    ui_.title(text("maint.queue.title"));
    if (!q.available) {
        ui_.paragraph(text("maint.queue.unavailable"));
        draw_result(view, app::ActionKind::Retry);
        return;
    }
    rows({{text("maint.queue.pending"), std::to_string(q.pending)},
          {text("maint.queue.oldest"), q.oldest_pending_age_seconds
                                           ? duration(*q.oldest_pending_age_seconds)
                                           : text("maint.queue.nothing_waiting")},
          {text("maint.queue.dead"), std::to_string(q.dead)}});
    const std::size_t shown = std::min(q.dead_letters.size(), kDeadLettersShown);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& d = q.dead_letters[i];
        // "/v1/tickets" as "tickets": shorter, and no slash for a Hebrew line to misplace.
        std::string route = d.route;
        if (route.rfind("/v1/", 0) == 0) {
            route.erase(0, 4);
        }
        ui_.muted(catalog_->format(
            "maint.queue.dead_row",
            {{"route", route}, {"reason", d.reason}, {"age", duration(d.age_seconds)}}));
    }
    if (q.dead > shown) {
        ui_.muted(catalog_->plural("maint.queue.more", static_cast<long>(q.dead - shown)));
    }
    ui_.vertical_space(0.3f);
    draw_result(view, app::ActionKind::Retry);
    draw_result(view, app::ActionKind::Clear);
    if (view.confirm_clear) {
        ui_.notice_box(catalog_->plural("maint.queue.confirm", static_cast<long>(q.dead)));
        const auto pressed =
            ui_.button_row(text("maint.queue.confirm_yes"), text("maint.cancel"), !view.busy);
        if (pressed == RowPress::Forward) {
            out.emplace_back(mi::ConfirmClear{});
        } else if (pressed == RowPress::Back) {
            out.emplace_back(mi::CancelClear{});
        }
        return;
    }
    const auto pressed = ui_.button_row(text("maint.queue.retry"), text("maint.queue.clear"),
                                        !view.busy && q.dead > 0);
    if (pressed == RowPress::Forward) {
        out.emplace_back(mi::RetryDeadLetters{});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(mi::ClearDeadLetters{});
    }
}

void MaintenanceScreens::draw_config(const app::MaintenanceView& view,
                                     std::vector<app::MaintenanceIntent>& out) {
    const auto& c = view.config;
    ui_.title(text("maint.config.title"));
    if (!c.available) {
        ui_.paragraph(text("maint.config.unavailable"));
    } else {
        std::string signers;
        for (const auto& s : c.signers) {
            signers += (signers.empty() ? "" : ", ") + s;
        }
        std::string version =
            c.version == 0 ? text("maint.config.none") : std::to_string(c.version);
        if (c.reverted) {
            version += " \xC2\xB7 " + text("maint.config.reverted");
        }
        if (c.expired) {
            version += " \xC2\xB7 " + text("maint.config.expired");
        }
        std::vector<Row> r = {{text("maint.config.version"), version}};
        if (c.version != 0) {
            r.push_back({text("maint.config.signers"), signers, true});
            r.push_back({text("maint.config.applied_at"),
                         assets::format_date_time(*catalog_, c.applied_at)});
            r.push_back({text("maint.config.expires_at"),
                         assets::format_date_time(*catalog_, c.expires_at)});
        }
        r.push_back({text("maint.config.last_refusal"),
                     c.last_refusal.empty() ? text("maint.config.no_refusal") : c.last_refusal});
        if (!c.startup_problem.empty()) {
            r.push_back({text("maint.config.startup_problem"), c.startup_problem});
        }
        rows(r);
    }
    ui_.vertical_space(0.3f);
    draw_result(view, app::ActionKind::PullConfig);
    draw_result(view, app::ActionKind::RevertConfig);
    const auto pressed =
        ui_.button_row(text("maint.config.pull"), text("maint.config.revert"), !view.busy);
    if (pressed == RowPress::Forward) {
        out.emplace_back(mi::PullConfig{});
    } else if (pressed == RowPress::Back) {
        out.emplace_back(mi::RevertConfig{});
    }
}

void MaintenanceScreens::draw_device(const app::MaintenanceView& view,
                                     std::vector<app::MaintenanceIntent>& out) {
    const auto& d = view.device;
    ui_.title(text("maint.device.title"));
    rows({{text("maint.device.kiosk_id"), d.kiosk_id, true},
          {text("maint.device.version"), d.version, true},
          {text("maint.device.uptime"), duration(d.uptime_seconds)},
          {text("maint.device.disk"), megabytes(d.free_disk_bytes)},
          {text("maint.device.memory"), megabytes(d.memory_bytes)},
          {text("maint.device.state_dir"), d.state_dir.string(), true}});
    ui_.vertical_space(0.4f);
    if (ui_.secondary_button(text("maint.refresh"), !view.busy)) {
        out.emplace_back(mi::Refresh{});
    }
}

void MaintenanceScreens::draw_logs(const app::MaintenanceView& view,
                                   std::vector<app::MaintenanceIntent>& out) {
    ui_.title(text("maint.logs.title"));
    if (view.logs.empty()) {
        ui_.paragraph(text("maint.logs.empty"));
    }
    const std::size_t first =
        view.logs.size() > kLogLinesShown ? view.logs.size() - kLogLinesShown : 0;
    // Log lines are the program's own (English, left to right) in any language.
    Widgets ltr(fonts_.regular, palette(false), false, &controls_, nullptr);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
    ImGui::SetWindowFontScale(0.75f);
    for (std::size_t i = first; i < view.logs.size(); ++i) {
        ltr.muted(view.logs[i]);
    }
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PopStyleVar();
    ui_.vertical_space(0.4f);
    if (ui_.secondary_button(text("maint.refresh"), !view.busy)) {
        out.emplace_back(mi::Refresh{});
    }
}

void MaintenanceScreens::draw_service(const app::MaintenanceView& view,
                                      std::vector<app::MaintenanceIntent>& out) {
    ui_.title(text("maint.service.title"));
    ui_.paragraph(text(view.out_of_service ? "maint.service.now_out" : "maint.service.now_in"));
    ui_.muted(text("maint.service.explain"));
    ui_.vertical_space(0.4f);
    if (!view.last_result.ok) { // done: the line above already says the new state
        draw_result(view, app::ActionKind::OutOfService);
    }
    if (view.out_of_service) {
        if (ui_.primary_button(text("maint.service.back_in"), !view.busy)) {
            out.emplace_back(mi::SetOutOfService{false});
        }
    } else if (ui_.primary_button(text("maint.service.take_out"), !view.busy)) {
        out.emplace_back(mi::SetOutOfService{true});
    }
}

void MaintenanceScreens::draw_enrolment(const app::MaintenanceView& view,
                                        std::vector<app::MaintenanceIntent>& out) {
    ui_.title(text("maint.enrol.title"));
    if (!view.enrolment_available) {
        ui_.paragraph(text("maint.enrol.unavailable"));
    } else {
        ui_.paragraph(text("maint.enrol.prompt"));
    }
    const bool enabled = view.enrolment_available && !view.busy;
    const bool entered =
        ui_.text_field("##enrolment", text("maint.enrol.field"), enrolment_code_.data(),
                       enrolment_code_.size(), {.secret = true, .enabled = enabled});
    ui_.vertical_space(0.3f);
    draw_result(view, app::ActionKind::Enrol);
    if ((ui_.primary_button(text("maint.enrol.submit"), enabled) || (entered && enabled)) &&
        enrolment_code_[0] != '\0') {
        out.emplace_back(mi::Enrol{SecretString(std::string_view(enrolment_code_.data()))});
        wipe_inputs();
    }
}

// Staff vouch for the person in front of them: the user's identifier, staff's own
// credential (dots, wiped once sent) and a reason, after checking a photo ID.
void MaintenanceScreens::draw_verify_user(const app::MaintenanceView& view,
                                          std::vector<app::MaintenanceIntent>& out) {
    using Status = app::StaffVerifyResult::Status;
    ui_.title(text("maint.verify.title"));
    if (!view.verify_available) {
        ui_.paragraph(text("maint.verify.unavailable"));
        return;
    }
    ui_.paragraph(text("maint.verify.prompt"));
    const bool enabled = !view.busy;
    // The identifier beside the staff credential, then the reason, with the labels in rows
    // of their own so the fields line up: the Verify button then stays on a 1280x800
    // screen, reachable by touch. The first field of a row sits on the reading side; Tab
    // still goes identifier, credential, reason.
    bool entered = false;
    const int reading = ui_.right_to_left() ? 1 : 0;
    // Room between the columns, so two labels never read as one line.
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding,
                        ImVec2(ImGui::GetFontSize() * 0.5f, ImGui::GetStyle().CellPadding.y));
    if (ImGui::BeginTable("verify-fields", 2, ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        ui_.paragraph(text("maint.verify.identifier"));
        ImGui::TableSetColumnIndex(1 - reading);
        ui_.paragraph(text("maint.verify.staff_credential"));
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        ui_.text_field("##verify_identifier", "", verify_identifier_.data(),
                       verify_identifier_.size(), {.enabled = enabled});
        ImGui::TableSetColumnIndex(1 - reading);
        entered = ui_.text_field("##verify_staff", "", staff_credential_.data(),
                                 staff_credential_.size(), {.secret = true, .enabled = enabled});
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        ui_.vertical_space(0.2f);
        ui_.paragraph(text("maint.verify.reason"));
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(reading);
        ui_.text_field("##verify_reason", "", verify_reason_.data(), verify_reason_.size(),
                       {.enabled = enabled});
        ImGui::EndTable();
    }
    ImGui::PopStyleVar();
    if (ui_.toggle("##verify_id_checked", text("maint.verify.id_checked"), id_checked_) &&
        enabled) {
        id_checked_ = !id_checked_;
    }
    if (view.verify_incomplete) {
        ui_.notice_box(text("maint.verify.incomplete"));
    } else if (view.verify_status) {
        const char* key = "maint.verify.failed";
        switch (*view.verify_status) {
        case Status::StaffCredentialInvalid:
            key = "maint.verify.staff_invalid";
            break;
        case Status::Forbidden:
            key = "maint.verify.forbidden";
            break;
        case Status::AccountNotFound:
            key = "maint.verify.not_found";
            break;
        case Status::AccountDisabled:
            key = "maint.verify.disabled";
            break;
        case Status::NotEnrolled:
            key = "maint.verify.not_enrolled";
            break;
        case Status::Unreachable:
            key = "maint.verify.unreachable";
            break;
        case Status::Verified:
        case Status::Failed:
            break;
        }
        ui_.notice_box(text(key));
        if (*view.verify_status == Status::Failed && !view.verify_detail.empty()) {
            ui_.muted(view.verify_detail);
        }
    }
    ui_.vertical_space(0.3f);
    if (ui_.primary_button(text("maint.verify.submit"), enabled) || (entered && enabled)) {
        out.emplace_back(mi::VerifyUser{std::string(verify_identifier_.data()),
                                        SecretString(std::string_view(staff_credential_.data())),
                                        std::string(verify_reason_.data()), id_checked_});
        // The credential is typed again for another try; the rest stays for it.
        wipe_imgui_text_state();
        secure_wipe(staff_credential_.data(), staff_credential_.size());
    }
}

// [tour] ------------------------------------------------------------------------------------

int run_maintenance_screenshot_tour(KioskWindow& window, MaintenanceScreens& screens,
                                    const std::vector<app::MaintenanceTourStop>& stops,
                                    const std::filesystem::path& dir) {
    int failed = 0;
    for (const auto& stop : stops) {
        // As the walk-up tour: a few frames for hover and for a page to fit the screen.
        constexpr int kLeastFrames = 3;
        constexpr int kMostFrames = 10;
        for (int frame = 0;; ++frame) {
            window.poll();
            window.begin_frame();
            if (stop.out_of_service_notice) {
                screens.draw_out_of_service(stop.view.language);
            } else {
                screens.draw(stop.view); // intents are dropped: nothing acts on them
            }
            window.render();
            const bool settled =
                frame >= kMostFrames || (frame >= kLeastFrames && !screens.settling());
            if (settled) {
                const auto path = dir / (stop.name + ".png");
                if (const auto error = save_framebuffer_png(path, window.framebuffer_width(),
                                                            window.framebuffer_height());
                    !error.empty()) {
                    spdlog::error("screenshot: {}", error);
                    ++failed;
                } else {
                    std::printf("screenshot: %s\n", path.c_str());
                    std::fflush(stdout);
                }
            }
            window.present();
            if (settled) {
                break;
            }
        }
    }
    screens.wipe_inputs();
    return failed;
}

} // namespace kiosk::ui
