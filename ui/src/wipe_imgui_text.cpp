// Reaches into imgui_internal.h (Dear ImGui 1.86's ImGuiInputTextState) because the public
// API has no way to wipe the editor's buffers; revisit when the Debian package moves.
#include "kiosk/ui/wipe_imgui_text.hpp"

#include "kiosk/common/secret.hpp"

#include <imgui.h>
#include <imgui_internal.h>

namespace kiosk::ui {
namespace {

template <typename T> void wipe_vector(ImVector<T>& v) {
    if (v.Data != nullptr) {
        secure_wipe(v.Data, static_cast<std::size_t>(v.Capacity) * sizeof(T));
    }
}

} // namespace

void wipe_imgui_text_state() {
    ImGuiContext* context = ImGui::GetCurrentContext();
    if (context == nullptr) {
        return;
    }
    ImGui::ClearActiveID();
    ImGuiInputTextState& state = context->InputTextState;
    wipe_vector(state.TextW);
    wipe_vector(state.TextA);
    wipe_vector(state.InitialTextA);
    secure_wipe(&state.Stb, sizeof state.Stb); // holds the undo history
    state.CurLenA = state.CurLenW = 0;
    state.ID = 0;
    wipe_vector(context->IO.InputQueueCharacters);
    context->IO.InputQueueCharacters.resize(0);
}

} // namespace kiosk::ui
