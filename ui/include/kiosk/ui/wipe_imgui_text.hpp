// Dear ImGui keeps its own copies of the text being edited (the active field's buffers,
// its undo history, the queue of typed characters). This wipes them all.
#pragma once

namespace kiosk::ui {

// Deactivates any text field and overwrites every copy ImGui holds of typed text.
// Call on the UI thread, outside NewFrame()/Render() or between widgets.
void wipe_imgui_text_state();

} // namespace kiosk::ui
