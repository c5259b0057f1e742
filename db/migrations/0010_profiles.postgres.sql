-- 0010_profiles (PostgreSQL): how people are shown to the others of their projects. A profile
-- is per person, not per membership (the owner has one too), so it moves out of project_members,
-- whose name and image_url columns were never written.

CREATE TABLE profiles (
    user_id    varchar(255) PRIMARY KEY,
    name       varchar(255),
    image_url  text,
    updated_at timestamptz  NOT NULL
);

ALTER TABLE project_members DROP COLUMN name;
ALTER TABLE project_members DROP COLUMN image_url;
