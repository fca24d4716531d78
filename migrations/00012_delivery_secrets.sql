-- A link's token (an acknowledgement, a mailbox confirmation) is kept beside its delivery's
-- message, not in it: it is put into the mail only as it is sent, so that the deliveries' readers
-- (the sending unit, the secretariat) never see a token that acts for the recipient.

-- +goose Up
ALTER TABLE deliveries ADD COLUMN secret text;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN secret;
