// Keyfob's built-in rules, in the gitleaks format (what `[extend] useDefault = true` brings in,
// and what runs when a repository has no .gitleaks.toml): the credentials Keyfob hands out and
// their neighbours. Kept RE2-compatible, so the same file works with gitleaks itself.
export const DEFAULT_RULES_TOML = String.raw`
title = "Keyfob built-in rules"

[[rules]]
id = "vault-service-token"
description = "HashiCorp Vault service token"
regex = '''\b(hvs\.[A-Za-z0-9_-]{24,})'''
keywords = ["hvs."]
tags = ["vault", "token"]

[[rules]]
id = "vault-batch-token"
description = "HashiCorp Vault batch token"
regex = '''\b(hvb\.[A-Za-z0-9_-]{24,})'''
keywords = ["hvb."]
tags = ["vault", "token"]

[[rules]]
id = "vault-recovery-token"
description = "HashiCorp Vault recovery token"
regex = '''\b(hvr\.[A-Za-z0-9_-]{24,})'''
keywords = ["hvr."]
tags = ["vault", "token"]

[[rules]]
id = "vault-legacy-token"
description = "HashiCorp Vault token (legacy s. format)"
regex = '''(?:^|[^A-Za-z0-9._-])(s\.[A-Za-z0-9]{24})(?:[^A-Za-z0-9]|$)'''
secretGroup = 1
entropy = 3.0
keywords = ["s."]
tags = ["vault", "token"]

[[rules]]
id = "aws-access-key-id"
description = "AWS access key id"
regex = '''\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b'''
keywords = ["akia", "asia", "abia", "acca", "a3t"]
tags = ["aws", "key"]

[[rules]]
id = "aws-secret-access-key"
description = "AWS secret access key"
regex = '''(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)'''
secretGroup = 1
keywords = ["aws_secret", "awssecret", "aws_secret_access_key", "secret_access_key", "secretaccesskey"]
tags = ["aws", "key"]

[[rules]]
id = "postgres-uri-password"
description = "PostgreSQL connection URI with a password"
regex = '''(?i)\bpostgres(?:ql)?://[^:/?#\s@]+:([^@/?#\s]+)@'''
secretGroup = 1
keywords = ["postgres"]
tags = ["postgresql", "password"]

[[rules]]
id = "pgpassword"
description = "PostgreSQL password in PGPASSWORD"
regex = '''\bPGPASSWORD["']?\s*[:=]\s*["']?([^\s"'$]{8,})'''
secretGroup = 1
keywords = ["pgpassword"]
tags = ["postgresql", "password"]

[[rules]]
id = "private-key"
description = "Private key (PEM or OpenSSH)"
regex = '''-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----'''
keywords = ["-----begin"]
tags = ["key", "private-key"]
`;
