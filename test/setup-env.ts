// Tests assert behaviour, not log lines: keep Powertools quiet unless a test captures logs itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
