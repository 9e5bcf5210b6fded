// Served by the platform itself: the API is on this origin. An exported support site replaces this file.
window.BACKLINE_CONFIG = {};
