package dev.lichen.gateway.store;

/** Admins change things (adoption, rules, users); viewers only look. */
public enum Role { ADMIN, VIEWER }
