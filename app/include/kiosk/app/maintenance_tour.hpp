// The screenshot tour's maintenance stops: every page of maintenance mode and the "out of
// service" notice, as the view model would hold them, filled with demo data. `kiosk
// --screenshot-tour` draws each one after the walk-up screens; no central is involved.
#pragma once

#include "kiosk/app/maintenance.hpp"

#include <string>
#include <vector>

namespace kiosk::app {

struct MaintenanceTourStop {
    std::string name; // the PNG's file name without ".png", e.g. "maintenance-queue"
    MaintenanceView view;
    bool out_of_service_notice = false; // draw the attract screen's stand-in instead
};

std::vector<MaintenanceTourStop> maintenance_screenshot_tour(const std::string& language);

} // namespace kiosk::app
