"""Co-editing: each project's code as one shared Yjs document (API.md, "WebSocket: the shared code
of a project"), which people, the draft routes and the agent all edit."""
