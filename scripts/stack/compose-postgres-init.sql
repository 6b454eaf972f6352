-- Run once by the postgres:15 image on an empty data dir (docker-compose.kafka.yml).
-- scripts/stack.sh creates the same database itself (scripts/stack/postgres.sh).
CREATE DATABASE apicurio OWNER idres;
