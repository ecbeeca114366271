-- One database per service (rule 1 of the mesh: each service owns its data).
CREATE DATABASE interlink_community;
CREATE DATABASE interlink_catalogue;
CREATE DATABASE interlink_coproduction;
CREATE DATABASE interlink_monitoring;
CREATE DATABASE interlink_notifications;
CREATE DATABASE interlink_federation;
CREATE DATABASE interlink_documents;
CREATE DATABASE interlink_surveys;
