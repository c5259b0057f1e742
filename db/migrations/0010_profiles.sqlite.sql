-- 0010_profiles (SQLite): how people are shown to the others of their projects. A profile is per
-- person, not per membership (the owner has one too), so it moves out of project_members, whose
-- name and image_url columns were never written.

CREATE TABLE profiles (
    user_id    VARCHAR(255) PRIMARY KEY,
    name       VARCHAR(255),
    image_url  TEXT,
    updated_at TIMESTAMPTZ  NOT NULL
);

ALTER TABLE project_members DROP COLUMN name;
ALTER TABLE project_members DROP COLUMN image_url;
