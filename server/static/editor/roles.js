// What each role may do on a project (API.md, "Sharing: members and roles"). Every part that
// offers an action asks here, so a role that changes while the page is open redraws them alike.

export const ROLE_LABELS = { OWNER: "Owner", EDITOR: "Editor", VIEWER: "Viewer" };

/** Prompt, rename, restore: everything that changes the project. */
export function canEdit(role) {
  return role === "OWNER" || role === "EDITOR";
}

/** Make, list and revoke invite links. */
export function canInvite(role) {
  return role === "OWNER" || role === "EDITOR";
}

/** Change a member's role or remove them. */
export function canManageMembers(role) {
  return role === "OWNER";
}

export function canDeleteProject(role) {
  return role === "OWNER";
}
