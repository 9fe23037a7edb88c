/**
 * System lines of "Export chat" text in every supported language, Android and iOS: hand-written export
 * lines (not generated from the phrase table) run through the real reader. Each row gives the expected
 * event type, actor and targets: a name, `YOU` (the exporting phone's owner) or a phone number.
 * The grid test fails when a (language × platform × event type) cell has no line.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChatExport } from '../src/evidence/chat-export/index.js';
import { LOCALES } from '../src/evidence/chat-export/locales.js';
import { parseHeader } from '../src/evidence/chat-export/line-format.js';
import {
  MEMBERSHIP_EVENT_TYPES,
  type MembershipEventType,
  type ParsedEvent,
  type ParsedMessage,
  type ParsedRecord,
  type ParsedUnclassified,
} from '../src/model/types.js';

type Platform = 'android' | 'ios';
/** [language, platform, export line, event type, actor, targets] */
type Row = [string, Platform, string, MembershipEventType, string | null, string[]];

// prettier-ignore
const ROWS: Row[] = [
  // ---- en (en-US dates) ----
  ['en', 'android', `3/14/23, 9:05 PM - Ana created group "Garden club"`, 'created', 'Ana', []],
  ['en', 'android', `3/14/23, 9:05 PM - Ana added Boris and Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['en', 'android', `3/14/23, 9:05 PM - You added Dora`, 'added', 'YOU', ['Dora']],
  ['en', 'android', `3/14/23, 9:05 PM - Boris and Carla were added`, 'added', null, ['Boris', 'Carla']],
  ['en', 'android', `3/14/23, 9:05 PM - Carla joined using this group's invite link`, 'joined_via_link', 'Carla', []],
  ['en', 'android', `3/14/23, 9:05 PM - Carla joined using your invite`, 'joined_via_link', 'Carla', []],
  ['en', 'android', `3/14/23, 9:05 PM - Carla left`, 'left', 'Carla', []],
  ['en', 'android', `3/14/23, 9:05 PM - Dora left the group`, 'left', 'Dora', []],
  ['en', 'android', `3/14/23, 9:05 PM - You left`, 'left', 'YOU', []],
  ['en', 'android', `3/14/23, 9:05 PM - Ana removed Boris`, 'removed', 'Ana', ['Boris']],
  ['en', 'android', `3/14/23, 9:05 PM - Boris removed you`, 'removed', 'Boris', ['YOU']],
  ['en', 'android', `3/14/23, 9:05 PM - Ana changed the subject from "Garden club" to "Garden club 2"`, 'subject_changed', 'Ana', []],
  ['en', 'android', `3/14/23, 9:05 PM - Ana changed this group's icon`, 'icon_changed', 'Ana', []],
  ['en', 'android', `3/14/23, 9:05 PM - Ana changed the group description`, 'description_changed', 'Ana', []],
  ['en', 'android', `3/14/23, 9:05 PM - Boris is now an admin`, 'admin_promoted', null, ['Boris']],
  ['en', 'android', `3/14/23, 9:05 PM - You're no longer an admin`, 'admin_demoted', null, ['YOU']],
  ['en', 'android', `3/14/23, 9:05 PM - +34 600 000 001 changed to +34 600 000 002`, 'number_changed', '+34 600 000 001', []],
  ['en', 'android', `3/14/23, 9:05 PM - Boris changed from +34\u00A0600\u00A0000\u00A0001 to +34\u00A0600\u00A0000\u00A0002`, 'number_changed', 'Boris', []],
  ['en', 'android', `3/14/23, 9:05 PM - Your security code with Boris changed. Tap to learn more.`, 'security_code_changed', null, ['Boris']],
  ['en', 'android', `3/14/23, 9:05 PM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.`, 'encryption_notice', null, []],
  ['en', 'android', `3/14/23, 9:05 PM - You reset this group's invite link`, 'invite_link_reset', 'YOU', []],
  ['en', 'android', `3/14/23, 9:05 PM - Ana changed this group's settings to allow only admins to send messages to this group`, 'settings_changed', 'Ana', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Ana: \u200EAna created group “Garden club”`, 'created', 'Ana', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EAna added you`, 'added', 'Ana', ['YOU']],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EYou joined using this group's invite link`, 'joined_via_link', 'YOU', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EBoris left`, 'left', 'Boris', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EYou removed Carla`, 'removed', 'YOU', ['Carla']],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EYou changed the group name to “Garden club 2”`, 'subject_changed', 'YOU', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Ana: \u200EAna deleted this group's icon`, 'icon_changed', 'Ana', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EAna changed the group description. Tap to view.`, 'description_changed', 'Ana', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EYou're now an admin`, 'admin_promoted', null, ['YOU']],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EBoris is no longer an admin`, 'admin_demoted', null, ['Boris']],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EBoris changed their phone number to a new number. \u200ETap to message or add the new number.`, 'number_changed', 'Boris', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Boris: \u200E\u200EYour security code with Boris changed. \u200ETap to learn more.`, 'security_code_changed', null, ['Boris']],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EMessages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them.`, 'encryption_notice', null, []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EAna reset this group's invite link`, 'invite_link_reset', 'Ana', []],
  ['en', 'ios', `[3/14/23, 9:05:00\u202FPM] Garden club: \u200EAna changed the settings so only admins can edit the group settings`, 'settings_changed', 'Ana', []],

  // ---- fr ----
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a créé le groupe « Garden club »`, 'created', 'Ana', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a ajouté Boris et Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['fr', 'android', `14/03/2023 à 21:05 - Carla a rejoint ce groupe via le lien d'invitation`, 'joined_via_link', 'Carla', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Carla est partie`, 'left', 'Carla', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a retiré Boris`, 'removed', 'Ana', ['Boris']],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a changé le sujet de « Garden club » à « Garden club 2 »`, 'subject_changed', 'Ana', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a changé l'icône de ce groupe`, 'icon_changed', 'Ana', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a modifié la description du groupe`, 'description_changed', 'Ana', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Boris est maintenant admin`, 'admin_promoted', null, ['Boris']],
  ['fr', 'android', `14/03/2023 à 21:05 - Boris n'est plus administrateur`, 'admin_demoted', null, ['Boris']],
  ['fr', 'android', `14/03/2023 à 21:05 - Boris a changé de numéro. Appuyez pour envoyer un message ou ajouter le nouveau numéro.`, 'number_changed', 'Boris', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Votre code de sécurité avec Boris a changé. Appuyez pour en savoir plus.`, 'security_code_changed', null, ['Boris']],
  ['fr', 'android', `14/03/2023 à 21:05 - Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, ne peut les lire ou les écouter.`, 'encryption_notice', null, []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a réinitialisé le lien d'invitation de ce groupe`, 'invite_link_reset', 'Ana', []],
  ['fr', 'android', `14/03/2023 à 21:05 - Ana a modifié les paramètres de ce groupe pour autoriser uniquement les admins à envoyer des messages`, 'settings_changed', 'Ana', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous avez créé le groupe « Garden club »`, 'created', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EAna vous a ajoutée`, 'added', 'Ana', ['YOU']],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous avez rejoint ce groupe via le lien d'invitation`, 'joined_via_link', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous êtes parti`, 'left', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EAna vous a retiré`, 'removed', 'Ana', ['YOU']],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous avez changé le nom du groupe en « Garden club 2 »`, 'subject_changed', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Ana: \u200EAna a supprimé la photo du groupe`, 'icon_changed', 'Ana', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous avez changé la description du groupe`, 'description_changed', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous êtes maintenant admin`, 'admin_promoted', null, ['YOU']],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous n'êtes plus admin`, 'admin_demoted', null, ['YOU']],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EBoris a changé son numéro de téléphone pour un nouveau numéro.`, 'number_changed', 'Boris', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Boris: \u200E\u200EVotre code de sécurité avec Boris a changé. \u200EAppuyez pour en savoir plus.`, 'security_code_changed', null, ['Boris']],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200ELes messages et les appels sont chiffrés de bout en bout.`, 'encryption_notice', null, []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EVous avez réinitialisé le lien d'invitation de ce groupe`, 'invite_link_reset', 'YOU', []],
  ['fr', 'ios', `[14/03/2023 21:05:00] Garden club: \u200EAna a changé les paramètres de ce groupe`, 'settings_changed', 'Ana', []],

  // ---- es ----
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana creó el grupo "Garden club"`, 'created', 'Ana', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana añadió a Boris y Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Carla se unió usando el enlace de invitación de este grupo`, 'joined_via_link', 'Carla', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Carla salió del grupo`, 'left', 'Carla', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana eliminó a Boris`, 'removed', 'Ana', ['Boris']],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana cambió el nombre del grupo de "Garden club" a "Garden club 2".`, 'subject_changed', 'Ana', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana cambió el ícono de este grupo`, 'icon_changed', 'Ana', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana cambió la descripción del grupo`, 'description_changed', 'Ana', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Boris ahora es admin.`, 'admin_promoted', null, ['Boris']],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ya no eres admin.`, 'admin_demoted', null, ['YOU']],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Boris cambió a un número nuevo. Toca para enviar un mensaje o agregar el número nuevo.`, 'number_changed', 'Boris', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Cambió tu código de seguridad con Boris. Pulsa para obtener más información.`, 'security_code_changed', null, ['Boris']],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos.`, 'encryption_notice', null, []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana restableció el enlace de invitación de este grupo`, 'invite_link_reset', 'Ana', []],
  ['es', 'android', `14/3/23, 9:05\u202Fp.\u00A0m. - Ana cambió los ajustes de este grupo para permitir que solo los administradores envíen mensajes`, 'settings_changed', 'Ana', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200ECreaste el grupo “Garden club”`, 'created', 'YOU', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EAna te añadió`, 'added', 'Ana', ['YOU']],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200ETe uniste usando el enlace de invitación de este grupo`, 'joined_via_link', 'YOU', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200ESaliste del grupo`, 'left', 'YOU', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EEliminaste a Boris`, 'removed', 'YOU', ['Boris']],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200ECambiaste el asunto a “Garden club 2”`, 'subject_changed', 'YOU', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Ana: \u200EAna eliminó la foto del grupo`, 'icon_changed', 'Ana', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EEliminaste la descripción del grupo`, 'description_changed', 'YOU', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EAhora eres administradora`, 'admin_promoted', null, ['YOU']],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EBoris ya no es administrador`, 'admin_demoted', null, ['Boris']],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EBoris cambió su número de teléfono por uno nuevo.`, 'number_changed', 'Boris', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Boris: \u200E\u200ETu código de seguridad con Boris cambió. \u200EToca para más información.`, 'security_code_changed', null, ['Boris']],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200ELos mensajes y las llamadas están cifrados de extremo a extremo.`, 'encryption_notice', null, []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EAna restableció el enlace de invitación del grupo`, 'invite_link_reset', 'Ana', []],
  ['es', 'ios', `[14/3/23, 9:05:00\u202Fp.\u00A0m.] Garden club: \u200EAna cambió la configuración del grupo`, 'settings_changed', 'Ana', []],

  // ---- it ----
  ['it', 'android', `14/03/23, 21:05 - Ana ha creato il gruppo "Garden club"`, 'created', 'Ana', []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha aggiunto Boris e Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['it', 'android', `14/03/23, 21:05 - Carla si è unita tramite il link d'invito a questo gruppo`, 'joined_via_link', 'Carla', []],
  ['it', 'android', `14/03/23, 21:05 - Carla è uscita`, 'left', 'Carla', []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha rimosso Boris`, 'removed', 'Ana', ['Boris']],
  ['it', 'android', `14/03/23, 21:05 - Ana ha cambiato l'oggetto da "Garden club" a "Garden club 2"`, 'subject_changed', 'Ana', []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha cambiato l'immagine di questo gruppo`, 'icon_changed', 'Ana', []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha modificato la descrizione del gruppo`, 'description_changed', 'Ana', []],
  ['it', 'android', `14/03/23, 21:05 - Boris è ora un amministratore`, 'admin_promoted', null, ['Boris']],
  ['it', 'android', `14/03/23, 21:05 - Boris non è più un amministratore`, 'admin_demoted', null, ['Boris']],
  ['it', 'android', `14/03/23, 21:05 - Boris ha cambiato il suo numero di telefono. Tocca per inviare un messaggio o aggiungere il nuovo numero.`, 'number_changed', 'Boris', []],
  ['it', 'android', `14/03/23, 21:05 - Il tuo codice di sicurezza con Boris è cambiato. Tocca per saperne di più.`, 'security_code_changed', null, ['Boris']],
  ['it', 'android', `14/03/23, 21:05 - I messaggi e le chiamate sono crittografati end-to-end. Nessuno al di fuori di questa chat, nemmeno WhatsApp, può leggerne o ascoltarne il contenuto.`, 'encryption_notice', null, []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha reimpostato il link d'invito di questo gruppo`, 'invite_link_reset', 'Ana', []],
  ['it', 'android', `14/03/23, 21:05 - Ana ha modificato le impostazioni del gruppo per consentire solo agli amministratori di inviare messaggi`, 'settings_changed', 'Ana', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EHai creato il gruppo “Garden club”`, 'created', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EAna ti ha aggiunto`, 'added', 'Ana', ['YOU']],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200ESei entrata tramite il link d'invito del gruppo`, 'joined_via_link', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200ESei uscito`, 'left', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EHai rimosso Boris`, 'removed', 'YOU', ['Boris']],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EHai cambiato il nome del gruppo in “Garden club 2”`, 'subject_changed', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Ana: \u200EAna ha eliminato l’icona del gruppo`, 'icon_changed', 'Ana', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EHai modificato la descrizione del gruppo`, 'description_changed', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EOra sei amministratrice`, 'admin_promoted', null, ['YOU']],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EBoris non è più amministratore`, 'admin_demoted', null, ['Boris']],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EBoris ha cambiato numero.`, 'number_changed', 'Boris', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Boris: \u200E\u200EIl tuo codice di sicurezza con Boris è cambiato. \u200ETocca per saperne di più.`, 'security_code_changed', null, ['Boris']],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EI messaggi e le chiamate sono crittografati end-to-end.`, 'encryption_notice', null, []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EHai reimpostato il link d'invito`, 'invite_link_reset', 'YOU', []],
  ['it', 'ios', `[14/03/23, 21:05:00] Garden club: \u200EAna ha cambiato le impostazioni del gruppo`, 'settings_changed', 'Ana', []],

  // ---- de ----
  ['de', 'android', `14.03.23, 21:05 - Ana hat die Gruppe „Garden club“ erstellt.`, 'created', 'Ana', []],
  ['de', 'android', `14.03.23, 21:05 - Du hast die Gruppe erstellt`, 'created', 'YOU', []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat Boris und Carla hinzugefügt.`, 'added', 'Ana', ['Boris', 'Carla']],
  ['de', 'android', `14.03.23, 21:05 - Dora und Emil wurden hinzugefügt.`, 'added', null, ['Dora', 'Emil']],
  ['de', 'android', `14.03.23, 21:05 - Carla ist über den Einladungslink dieser Gruppe beigetreten.`, 'joined_via_link', 'Carla', []],
  ['de', 'android', `14.03.23, 21:05 - Carla hat die Gruppe verlassen.`, 'left', 'Carla', []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat Boris entfernt.`, 'removed', 'Ana', ['Boris']],
  ['de', 'android', `14.03.23, 21:05 - Ana hat den Gruppennamen von „Garden club“ zu „Garden club 2“ geändert.`, 'subject_changed', 'Ana', []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat das Gruppenbild geändert.`, 'icon_changed', 'Ana', []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat die Gruppenbeschreibung geändert.`, 'description_changed', 'Ana', []],
  ['de', 'android', `14.03.23, 21:05 - Boris ist jetzt ein Admin.`, 'admin_promoted', null, ['Boris']],
  ['de', 'android', `14.03.23, 21:05 - Du bist kein*e Admin mehr.`, 'admin_demoted', null, ['YOU']],
  ['de', 'android', `14.03.23, 21:05 - Boris hat eine neue Telefonnummer. Tippe, um eine Nachricht zu schreiben oder die neue Nummer hinzuzufügen.`, 'number_changed', 'Boris', []],
  ['de', 'android', `14.03.23, 21:05 - Dein Sicherheitscode für Boris hat sich geändert. Tippe, um mehr zu erfahren.`, 'security_code_changed', null, ['Boris']],
  ['de', 'android', `14.03.23, 21:05 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.`, 'encryption_notice', null, []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat den Einladungslink dieser Gruppe zurückgesetzt.`, 'invite_link_reset', 'Ana', []],
  ['de', 'android', `14.03.23, 21:05 - Ana hat die Gruppeneinstellungen geändert, sodass nur Admins Nachrichten senden können.`, 'settings_changed', 'Ana', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast die Gruppe „Garden club“ erstellt.`, 'created', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EAna hat dich hinzugefügt.`, 'added', 'Ana', ['YOU']],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu bist über den Einladungslink dieser Gruppe beigetreten.`, 'joined_via_link', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast die Gruppe verlassen.`, 'left', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast Boris entfernt.`, 'removed', 'YOU', ['Boris']],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast den Gruppennamen zu „Garden club 2“ geändert.`, 'subject_changed', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Ana: \u200EAna hat das Gruppenbild gelöscht.`, 'icon_changed', 'Ana', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast die Gruppenbeschreibung geändert.`, 'description_changed', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu bist jetzt ein*e Admin.`, 'admin_promoted', null, ['YOU']],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EBoris ist kein Admin mehr.`, 'admin_demoted', null, ['Boris']],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200E+49 151 0000001 hat zu +49 151 0000002 gewechselt.`, 'number_changed', '+49 151 0000001', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Boris: \u200E\u200EDeine Sicherheitsnummer für Boris hat sich geändert. \u200ETippe, um mehr zu erfahren.`, 'security_code_changed', null, ['Boris']],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200ENachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.`, 'encryption_notice', null, []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EDu hast den Einladungslink zurückgesetzt.`, 'invite_link_reset', 'YOU', []],
  ['de', 'ios', `[14.03.23, 21:05:00] Garden club: \u200EAna hat die Einstellungen dieser Gruppe geändert.`, 'settings_changed', 'Ana', []],

  // ---- pt ----
  ['pt', 'android', `14/03/2023 21:05 - Ana criou o grupo "Garden club"`, 'created', 'Ana', []],
  ['pt', 'android', `14/03/2023 21:05 - Ana adicionou Boris e Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['pt', 'android', `14/03/2023 21:05 - Carla entrou usando o link de convite deste grupo`, 'joined_via_link', 'Carla', []],
  ['pt', 'android', `14/03/2023 21:05 - Carla saiu`, 'left', 'Carla', []],
  ['pt', 'android', `14/03/2023 21:05 - Ana removeu Boris`, 'removed', 'Ana', ['Boris']],
  ['pt', 'android', `14/03/2023 21:05 - Ana mudou o nome do grupo de "Garden club" para "Garden club 2"`, 'subject_changed', 'Ana', []],
  ['pt', 'android', `14/03/2023 21:05 - Ana mudou a imagem deste grupo`, 'icon_changed', 'Ana', []],
  ['pt', 'android', `14/03/2023 21:05 - Ana alterou a descrição do grupo`, 'description_changed', 'Ana', []],
  ['pt', 'android', `14/03/2023 21:05 - Boris agora é admin`, 'admin_promoted', null, ['Boris']],
  ['pt', 'android', `14/03/2023 21:05 - Boris não é mais admin`, 'admin_demoted', null, ['Boris']],
  ['pt', 'android', `14/03/2023 21:05 - Boris mudou para um novo número. Toque para enviar uma mensagem ou adicionar o novo número.`, 'number_changed', 'Boris', []],
  ['pt', 'android', `14/03/2023 21:05 - Seu código de segurança com Boris mudou. Toque para saber mais.`, 'security_code_changed', null, ['Boris']],
  ['pt', 'android', `14/03/2023 21:05 - As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta e ficam somente entre você e os participantes desta conversa.`, 'encryption_notice', null, []],
  ['pt', 'android', `14/03/2023 21:05 - Ana redefiniu o link de convite deste grupo`, 'invite_link_reset', 'Ana', []],
  ['pt', 'android', `14/03/2023 21:05 - Ana mudou as configurações do grupo para permitir que somente admins enviem mensagens`, 'settings_changed', 'Ana', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê criou o grupo “Garden club”`, 'created', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EAna te adicionou`, 'added', 'Ana', ['YOU']],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê entrou usando o link de convite deste grupo`, 'joined_via_link', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê saiu do grupo`, 'left', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê removeu Boris`, 'removed', 'YOU', ['Boris']],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê mudou o assunto para “Garden club 2”`, 'subject_changed', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Ana: \u200EAna apagou a foto do grupo`, 'icon_changed', 'Ana', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê mudou a descrição do grupo`, 'description_changed', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê agora é admin`, 'admin_promoted', null, ['YOU']],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê não é mais administradora`, 'admin_demoted', null, ['YOU']],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EBoris alterou seu número de telefone.`, 'number_changed', 'Boris', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Boris: \u200E\u200EO seu código de segurança partilhado com Boris mudou. \u200EToque para saber mais.`, 'security_code_changed', null, ['Boris']],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EAs mensagens e chamadas são encriptadas ponto a ponto.`, 'encryption_notice', null, []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EVocê redefiniu o link de convite`, 'invite_link_reset', 'YOU', []],
  ['pt', 'ios', `[14/03/2023, 21:05:00] Garden club: \u200EAna alterou as configurações do grupo`, 'settings_changed', 'Ana', []],

  // ---- nl ----
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft groep "Garden club" aangemaakt`, 'created', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft Boris en Carla toegevoegd`, 'added', 'Ana', ['Boris', 'Carla']],
  ['nl', 'android', `14-03-2023 21:05 - \u200EAna heeft u toegevoegd`, 'added', 'Ana', ['YOU']],
  ['nl', 'android', `14-03-2023 21:05 - \u200EAna heeft de groep Garden club gemaakt`, 'created', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - \u200EBoris neemt deel via uw uitnodiging`, 'joined_via_link', 'Boris', []],
  ['nl', 'android', `14-03-2023 21:05 - U bent nu beheerder`, 'admin_promoted', null, ['YOU']],
  ['nl', 'android', `14-03-2023 21:05 - Carla is lid geworden via de uitnodigingslink van deze groep`, 'joined_via_link', 'Carla', []],
  ['nl', 'android', `14-03-2023 21:05 - Carla heeft de groep verlaten`, 'left', 'Carla', []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft Boris verwijderd`, 'removed', 'Ana', ['Boris']],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft de onderwerpnaam gewijzigd van "Garden club" naar "Garden club 2"`, 'subject_changed', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft de afbeelding van deze groep gewijzigd`, 'icon_changed', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft de groepsbeschrijving gewijzigd`, 'description_changed', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - Boris is nu beheerder`, 'admin_promoted', null, ['Boris']],
  ['nl', 'android', `14-03-2023 21:05 - Boris is geen beheerder meer`, 'admin_demoted', null, ['Boris']],
  ['nl', 'android', `14-03-2023 21:05 - Boris heeft het telefoonnummer gewijzigd naar een nieuw nummer.`, 'number_changed', 'Boris', []],
  ['nl', 'android', `14-03-2023 21:05 - Je beveiligingscode met Boris is gewijzigd. Tik voor meer informatie.`, 'security_code_changed', null, ['Boris']],
  ['nl', 'android', `14-03-2023 21:05 - Berichten en gesprekken worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, zelfs WhatsApp niet.`, 'encryption_notice', null, []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft de uitnodigingslink van deze groep opnieuw ingesteld`, 'invite_link_reset', 'Ana', []],
  ['nl', 'android', `14-03-2023 21:05 - Ana heeft de groepsinstellingen gewijzigd zodat alleen beheerders berichten kunnen sturen`, 'settings_changed', 'Ana', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt groep “Garden club” aangemaakt`, 'created', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EAna heeft jou toegevoegd`, 'added', 'Ana', ['YOU']],
  ['nl', 'ios', `[14-03-2023 21:05:00] \u200E+31 6 12345678 is toegevoegd`, 'added', null, ['+31 6 12345678']],
  ['nl', 'ios', `[14-03-2023 21:05:00] \u200EAna heeft deze groep aangemaakt`, 'created', 'Ana', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] \u200EAna heeft het onderwerp gewijzigd naar “Garden club 2”`, 'subject_changed', 'Ana', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] \u200EAna heeft de groepsafbeelding gewijzigd`, 'icon_changed', 'Ana', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] \u200EU bent nu een beheerder`, 'admin_promoted', null, ['YOU']],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij bent lid geworden via de uitnodigingslink van deze groep`, 'joined_via_link', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt de groep verlaten`, 'left', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt Boris verwijderd`, 'removed', 'YOU', ['Boris']],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt de groepsnaam gewijzigd naar “Garden club 2”`, 'subject_changed', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Ana: \u200EAna heeft het groepspictogram verwijderd`, 'icon_changed', 'Ana', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt de groepsbeschrijving verwijderd`, 'description_changed', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJe bent nu beheerder`, 'admin_promoted', null, ['YOU']],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJe bent geen beheerder meer`, 'admin_demoted', null, ['YOU']],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EBoris is overgestapt naar een nieuw nummer.`, 'number_changed', 'Boris', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Boris: \u200E\u200EUw beveiligingscode met Boris is gewijzigd.`, 'security_code_changed', null, ['Boris']],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EBerichten en gesprekken worden end-to-end versleuteld.`, 'encryption_notice', null, []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EJij hebt de uitnodigingslink gereset`, 'invite_link_reset', 'YOU', []],
  ['nl', 'ios', `[14-03-2023 21:05:00] Garden club: \u200EAna heeft de instellingen van deze groep gewijzigd`, 'settings_changed', 'Ana', []],

  // ---- pl ----
  ['pl', 'android', `14.03.2023, 21:05 - Ana utworzył(a) grupę „Garden club”`, 'created', 'Ana', []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana dodał(a) Boris i Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['pl', 'android', `14.03.2023, 21:05 - Carla dołączył(a) przy użyciu linku z zaproszeniem do tej grupy`, 'joined_via_link', 'Carla', []],
  ['pl', 'android', `14.03.2023, 21:05 - Carla opuścił(a) grupę`, 'left', 'Carla', []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana usunął(-ęła) Boris`, 'removed', 'Ana', ['Boris']],
  ['pl', 'android', `14.03.2023, 21:05 - Ana zmienił(a) temat z „Garden club” na „Garden club 2”`, 'subject_changed', 'Ana', []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana zmienił(a) ikonę tej grupy`, 'icon_changed', 'Ana', []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana zmienił(a) opis grupy`, 'description_changed', 'Ana', []],
  ['pl', 'android', `14.03.2023, 21:05 - Boris jest teraz administratorem`, 'admin_promoted', null, ['Boris']],
  ['pl', 'android', `14.03.2023, 21:05 - Boris nie jest już administratorem`, 'admin_demoted', null, ['Boris']],
  ['pl', 'android', `14.03.2023, 21:05 - Boris zmienił(a) numer telefonu na nowy numer. Dotknij, aby napisać wiadomość lub dodać nowy numer.`, 'number_changed', 'Boris', []],
  ['pl', 'android', `14.03.2023, 21:05 - Twój kod zabezpieczeń z użytkownikiem Boris zmienił się. Stuknij, aby dowiedzieć się więcej.`, 'security_code_changed', null, ['Boris']],
  ['pl', 'android', `14.03.2023, 21:05 - Wiadomości i połączenia są w pełni zaszyfrowane. Nikt spoza czatu, nawet WhatsApp, nie może ich odczytać ani odsłuchać.`, 'encryption_notice', null, []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana zresetował(a) link z zaproszeniem do tej grupy`, 'invite_link_reset', 'Ana', []],
  ['pl', 'android', `14.03.2023, 21:05 - Ana zmienił(a) ustawienia tej grupy, aby tylko administratorzy mogli wysyłać wiadomości`, 'settings_changed', 'Ana', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EUtworzyłaś grupę „Garden club”`, 'created', 'YOU', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna dodała Cię`, 'added', 'Ana', ['YOU']],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EDołączyłeś(-aś) przy użyciu linku z zaproszeniem do tej grupy`, 'joined_via_link', 'YOU', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EBoris wyszedł z grupy`, 'left', 'Boris', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EUsunęłaś Carla`, 'removed', 'YOU', ['Carla']],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EZmieniłeś(-aś) nazwę grupy na „Garden club 2”`, 'subject_changed', 'YOU', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Ana: \u200EAna usunęła zdjęcie grupy`, 'icon_changed', 'Ana', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EZmieniłaś opis grupy`, 'description_changed', 'YOU', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EJesteś teraz administratorem`, 'admin_promoted', null, ['YOU']],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200ENie jesteś już administratorem`, 'admin_demoted', null, ['YOU']],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EBoris zmienił numer na +48 600 000 002`, 'number_changed', 'Boris', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Boris: \u200E\u200ETwój kod zabezpieczeń z użytkownikiem Boris zmienił się.`, 'security_code_changed', null, ['Boris']],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EWiadomości i połączenia są w pełni zaszyfrowane.`, 'encryption_notice', null, []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EZresetowałeś link z zaproszeniem`, 'invite_link_reset', 'YOU', []],
  ['pl', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna zmieniła ustawienia grupy`, 'settings_changed', 'Ana', []],

  // ---- ro ----
  ['ro', 'android', `14.03.2023, 21:05 - Ana a creat grupul „Garden club”`, 'created', 'Ana', []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a adăugat Boris și Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['ro', 'android', `14.03.2023, 21:05 - Carla s-a alăturat folosind linkul de invitație al acestui grup`, 'joined_via_link', 'Carla', []],
  ['ro', 'android', `14.03.2023, 21:05 - Carla a ieșit`, 'left', 'Carla', []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a eliminat Boris`, 'removed', 'Ana', ['Boris']],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a schimbat subiectul din „Garden club” în „Garden club 2”`, 'subject_changed', 'Ana', []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a schimbat imaginea acestui grup`, 'icon_changed', 'Ana', []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a schimbat descrierea grupului`, 'description_changed', 'Ana', []],
  ['ro', 'android', `14.03.2023, 21:05 - Boris este acum administrator`, 'admin_promoted', null, ['Boris']],
  ['ro', 'android', `14.03.2023, 21:05 - Boris nu mai este administrator`, 'admin_demoted', null, ['Boris']],
  ['ro', 'android', `14.03.2023, 21:05 - Boris și-a schimbat numărul de telefon cu unul nou.`, 'number_changed', 'Boris', []],
  ['ro', 'android', `14.03.2023, 21:05 - Codul dvs. de securitate cu Boris s-a schimbat. Atingeți pentru a afla mai multe.`, 'security_code_changed', null, ['Boris']],
  ['ro', 'android', `14.03.2023, 21:05 - Mesajele și apelurile sunt criptate integral. Nicio persoană care nu participă la această conversație, nici măcar WhatsApp, nu le poate citi sau asculta.`, 'encryption_notice', null, []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a resetat linkul de invitație al acestui grup`, 'invite_link_reset', 'Ana', []],
  ['ro', 'android', `14.03.2023, 21:05 - Ana a schimbat setările acestui grup`, 'settings_changed', 'Ana', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAți creat grupul „Garden club”`, 'created', 'YOU', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna v-a adăugat`, 'added', 'Ana', ['YOU']],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EV-ați alăturat folosind linkul de invitație al acestui grup`, 'joined_via_link', 'YOU', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EBoris a ieşit din grup`, 'left', 'Boris', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAţi eliminat Carla`, 'removed', 'YOU', ['Carla']],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAți schimbat subiectul în „Garden club 2”`, 'subject_changed', 'YOU', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Ana: \u200EAna a șters imaginea grupului`, 'icon_changed', 'Ana', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAți schimbat descrierea grupului`, 'description_changed', 'YOU', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAcum sunteți administrator`, 'admin_promoted', null, ['YOU']],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200ENu mai sunteți administrator`, 'admin_demoted', null, ['YOU']],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200E+40 700 000 001 a trecut la +40 700 000 002`, 'number_changed', '+40 700 000 001', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Boris: \u200E\u200ECodul dvs. de securitate cu Boris s-a schimbat.`, 'security_code_changed', null, ['Boris']],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EMesajele și apelurile sunt criptate integral.`, 'encryption_notice', null, []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAi resetat linkul de invitație`, 'invite_link_reset', 'YOU', []],
  ['ro', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna a schimbat setările grupului`, 'settings_changed', 'Ana', []],

  // ---- tr ----
  ['tr', 'android', `14.03.2023 21:05 - Ana, "Garden club" grubunu oluşturdu`, 'created', 'Ana', []],
  ['tr', 'android', `14.03.2023 21:05 - Ana, Boris ve Carla kişisini ekledi`, 'added', 'Ana', ['Boris', 'Carla']],
  ['tr', 'android', `14.03.2023 21:05 - Carla, bu grubun davet bağlantısı ile katıldı`, 'joined_via_link', 'Carla', []],
  ['tr', 'android', `14.03.2023 21:05 - Carla ayrıldı`, 'left', 'Carla', []],
  ['tr', 'android', `14.03.2023 21:05 - Ana, Boris kişisini çıkardı`, 'removed', 'Ana', ['Boris']],
  ['tr', 'android', `14.03.2023 21:05 - Ana, "Garden club" olan grup adını "Garden club 2" olarak değiştirdi`, 'subject_changed', 'Ana', []],
  ['tr', 'android', `14.03.2023 21:05 - Ana bu grubun simgesini değiştirdi`, 'icon_changed', 'Ana', []],
  ['tr', 'android', `14.03.2023 21:05 - Ana grup açıklamasını değiştirdi`, 'description_changed', 'Ana', []],
  ['tr', 'android', `14.03.2023 21:05 - Boris artık yönetici`, 'admin_promoted', null, ['Boris']],
  ['tr', 'android', `14.03.2023 21:05 - Boris artık yönetici değil`, 'admin_demoted', null, ['Boris']],
  ['tr', 'android', `14.03.2023 21:05 - Boris, telefon numarasını yeni bir numara ile değiştirdi.`, 'number_changed', 'Boris', []],
  ['tr', 'android', `14.03.2023 21:05 - Boris ile aranızdaki güvenlik kodu değişti. Daha fazla bilgi edinmek için dokunun.`, 'security_code_changed', null, ['Boris']],
  ['tr', 'android', `14.03.2023 21:05 - Mesajlar ve aramalar uçtan uca şifrelidir. WhatsApp da dahil olmak üzere bu sohbetin dışında bulunan hiç kimse mesaj ve aramalarınızı okuyamaz ve dinleyemez.`, 'encryption_notice', null, []],
  ['tr', 'android', `14.03.2023 21:05 - Ana, bu grubun davet bağlantısını sıfırladı`, 'invite_link_reset', 'Ana', []],
  ['tr', 'android', `14.03.2023 21:05 - Ana, bu grubun ayarlarını yalnızca yöneticilerin mesaj gönderebileceği şekilde değiştirdi`, 'settings_changed', 'Ana', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Ana: \u200EAna bu grubu oluşturdu`, 'created', 'Ana', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EAna sizi ekledi`, 'added', 'Ana', ['YOU']],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EBu grubun davet bağlantısı ile katıldınız`, 'joined_via_link', 'YOU', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EGruptan ayrıldınız`, 'left', 'YOU', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200ECarla kişisini çıkardınız`, 'removed', 'YOU', ['Carla']],
  ['tr', 'ios', `[14.03.2023 21:05:00] Ana: \u200EAna grup adını "Garden club 2" olarak değiştirdi`, 'subject_changed', 'Ana', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EBu grubun simgesini değiştirdiniz`, 'icon_changed', 'YOU', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EGrup açıklamasını değiştirdiniz`, 'description_changed', 'YOU', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EArtık yöneticisiniz`, 'admin_promoted', null, ['YOU']],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EArtık yönetici değilsiniz`, 'admin_demoted', null, ['YOU']],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200E+90 500 000 0001, +90 500 000 0002 numarasına geçti`, 'number_changed', '+90 500 000 0001', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Boris: \u200E\u200EBoris ile aranızdaki güvenlik kodu değişti. \u200EDaha fazla bilgi edinmek için dokunun.`, 'security_code_changed', null, ['Boris']],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EMesajlar ve aramalar uçtan uca şifrelidir. Yalnızca bu sohbetteki kişiler bu içerikleri okuyabilir, dinleyebilir veya paylaşabilir.`, 'encryption_notice', null, []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EBu grubun davet bağlantısını sıfırladınız`, 'invite_link_reset', 'YOU', []],
  ['tr', 'ios', `[14.03.2023 21:05:00] Garden club: \u200EAna, grubun ayarlarını değiştirdi`, 'settings_changed', 'Ana', []],

  // ---- ru ----
  ['ru', 'android', `14.03.2023, 21:05 - Ana создал(-а) группу «Garden club»`, 'created', 'Ana', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana добавил(-а) Boris и Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['ru', 'android', `14.03.2023, 21:05 - \u200EAna добавил(-а) контакт +7 909 555-55-55`, 'added', 'Ana', ['+7 909 555-55-55']],
  ['ru', 'android', `14.03.2023, 21:05 - Carla присоединился(-ась) к группе по ссылке-приглашению`, 'joined_via_link', 'Carla', []],
  ['ru', 'android', `14.03.2023, 21:05 - Carla вышел(-ла)`, 'left', 'Carla', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana удалил(-а) Boris`, 'removed', 'Ana', ['Boris']],
  ['ru', 'android', `14.03.2023, 21:05 - Ana изменил(-а) тему с «Garden club» на «Garden club 2»`, 'subject_changed', 'Ana', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana изменил(-а) изображение этой группы`, 'icon_changed', 'Ana', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana изменил(-а) описание группы`, 'description_changed', 'Ana', []],
  ['ru', 'android', `14.03.2023, 21:05 - Boris теперь админ`, 'admin_promoted', null, ['Boris']],
  ['ru', 'android', `14.03.2023, 21:05 - Boris больше не админ`, 'admin_demoted', null, ['Boris']],
  ['ru', 'android', `14.03.2023, 21:05 - Boris сменил(-а) номер на новый. Нажмите, чтобы написать или добавить новый номер.`, 'number_changed', 'Boris', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ваш код безопасности с контактом Boris изменился. Подробнее.`, 'security_code_changed', null, ['Boris']],
  ['ru', 'android', `14.03.2023, 21:05 - Сообщения и звонки защищены сквозным шифрованием. Третьи лица, включая WhatsApp, не могут прочитать ваши сообщения или прослушать звонки. Подробнее.`, 'encryption_notice', null, []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana сбросил(-а) ссылку-приглашение в эту группу`, 'invite_link_reset', 'Ana', []],
  ['ru', 'android', `14.03.2023, 21:05 - Ana изменил(-а) настройки этой группы`, 'settings_changed', 'Ana', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы создали группу «Garden club»`, 'created', 'YOU', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna добавила вас`, 'added', 'Ana', ['YOU']],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы присоединились к группе по ссылке-приглашению`, 'joined_via_link', 'YOU', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EBoris вышел`, 'left', 'Boris', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы удалили Carla`, 'removed', 'YOU', ['Carla']],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы изменили название группы на «Garden club 2»`, 'subject_changed', 'YOU', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Ana: \u200EAna удалила фото группы`, 'icon_changed', 'Ana', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы изменили описание группы`, 'description_changed', 'YOU', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы теперь администратор`, 'admin_promoted', null, ['YOU']],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы больше не администратор`, 'admin_demoted', null, ['YOU']],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EBoris изменил номер телефона на +7 900 000-00-02`, 'number_changed', 'Boris', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Boris: \u200E\u200EВаш код безопасности с контактом Boris изменился. \u200EПодробнее.`, 'security_code_changed', null, ['Boris']],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EСообщения и звонки защищены сквозным шифрованием.`, 'encryption_notice', null, []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EВы сбросили ссылку-приглашение`, 'invite_link_reset', 'YOU', []],
  ['ru', 'ios', `[14.03.2023, 21:05:00] Garden club: \u200EAna изменила настройки группы`, 'settings_changed', 'Ana', []],

  // ---- ar (Arabic-Indic digits with RLM after each date field, Arabic comma, ص/م; one iOS line in Latin digits) ----
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana أنشأ المجموعة "Garden club"`, 'created', 'Ana', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana أضاف Boris و Carla`, 'added', 'Ana', ['Boris', 'Carla']],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Carla انضم باستخدام رابط الدعوة لهذه المجموعة`, 'joined_via_link', 'Carla', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Carla غادرت`, 'left', 'Carla', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana أزال Boris`, 'removed', 'Ana', ['Boris']],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana غيّر اسم المجموعة من "Garden club" إلى "Garden club 2"`, 'subject_changed', 'Ana', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana غيّر صورة هذه المجموعة`, 'icon_changed', 'Ana', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana غير وصف المجموعة`, 'description_changed', 'Ana', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Boris أصبح مشرفًا`, 'admin_promoted', null, ['Boris']],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Boris لم يعد مشرفًا`, 'admin_demoted', null, ['Boris']],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Boris غيّر رقم هاتفه إلى رقم جديد.`, 'number_changed', 'Boris', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - تغيّر رمز أمانك المُستخدَم مع Boris. انقر هنا لمعرفة المزيد.`, 'security_code_changed', null, ['Boris']],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - الرسائل والمكالمات مشفرة تمامًا بين الطرفين، بحيث لا يستطيع أحد خارج هذه الدردشة، ولا حتى شركة واتساب نفسها، قراءتها أو الاستماع إليها.`, 'encryption_notice', null, []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana أعاد تعيين رابط الدعوة لهذه المجموعة`, 'invite_link_reset', 'Ana', []],
  ['ar', 'android', `١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥ م - Ana غيّر إعدادات هذه المجموعة`, 'settings_changed', 'Ana', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fأنشأت المجموعة "Garden club"`, 'created', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200FAna أضافك`, 'added', 'Ana', ['YOU']],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fانضممت باستخدام رابط الدعوة لهذه المجموعة`, 'joined_via_link', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fغادرت`, 'left', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fأزلت Carla`, 'removed', 'YOU', ['Carla']],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fغيّرت اسم المجموعة إلى "Garden club 2"`, 'subject_changed', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Ana: \u200FAna حذف صورة المجموعة`, 'icon_changed', 'Ana', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fغيّرت وصف المجموعة`, 'description_changed', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fأصبحت مشرفًا`, 'admin_promoted', null, ['YOU']],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fلم تعد مشرفًا`, 'admin_demoted', null, ['YOU']],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200FBoris غيّر رقمه إلى \u202A+966 50 000 0002\u202C`, 'number_changed', 'Boris', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Boris: \u200Fتغيّر رمز أمانك المُستخدَم مع Boris. \u200Fانقر هنا لمعرفة المزيد.`, 'security_code_changed', null, ['Boris']],
  ['ar', 'ios', `\u200F[\u200F14\u200F/3\u200F/2023، 21:05:00] \u202A+40 521 028 61 88\u202C: \u200Fالرسائل والمكالمات مشفرة تمامًا بين الطرفين.`, 'encryption_notice', null, []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200Fأعدت تعيين رابط الدعوة`, 'invite_link_reset', 'YOU', []],
  ['ar', 'ios', `[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Garden club: \u200FAna غيّرت إعدادات المجموعة`, 'settings_changed', 'Ana', []],
];

const LANGS = LOCALES.map((l) => l.id);
const PLATFORMS: Platform[] = ['android', 'ios'];
const EVENT_TYPES = MEMBERSHIP_EVENT_TYPES.filter((t) => t !== 'unknown');

/** The key the reader gives a name written in a system line. */
function key(who: string): string {
  if (who === 'YOU') return 'owner:dev1';
  if (who.startsWith('+')) return `phone:+${who.replace(/\D/g, '')}`;
  return `name:dev1:${who}`;
}

interface Result {
  notes: Record<string, unknown>;
  events: ParsedEvent[];
  messages: ParsedMessage[];
  unclassified: ParsedUnclassified[];
}

let dir: string;
const results = new Map<string, Result>();

async function read(path: string): Promise<Result> {
  const notes: Record<string, unknown> = {};
  const recs: ParsedRecord[] = [];
  for await (const r of parseChatExport(path, { deviceLabel: 'dev1', tz: 'UTC' }, notes)) recs.push(r);
  return {
    notes,
    events: recs.filter((r): r is ParsedEvent => r.type === 'event'),
    messages: recs.filter((r): r is ParsedMessage => r.type === 'message'),
    unclassified: recs.filter((r): r is ParsedUnclassified => r.type === 'unclassified'),
  };
}

async function writeExport(name: string, lines: string[]): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  // The group's name comes from the file name, as WhatsApp names exports.
  const p = join(d, 'WhatsApp Chat - Garden club.txt');
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'filet-system-lines-'));
  for (const lang of LANGS)
    for (const platform of PLATFORMS) {
      const lines = ROWS.filter((r) => r[0] === lang && r[1] === platform).map((r) => r[2]);
      if (lines.length)
        results.set(`${lang}|${platform}`, await read(await writeExport(`${lang}-${platform}`, lines)));
    }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('system lines in every language', () => {
  it('every (language × platform × event type) cell has at least one hand-written line', () => {
    const covered = new Set(ROWS.map((r) => `${r[0]}|${r[1]}|${r[3]}`));
    const missing: string[] = [];
    for (const lang of LANGS)
      for (const platform of PLATFORMS)
        for (const type of EVENT_TYPES)
          if (!covered.has(`${lang}|${platform}|${type}`)) missing.push(`${lang}|${platform}|${type}`);
    expect(missing).toEqual([]);
    expect(LANGS).toEqual(
      expect.arrayContaining(['en', 'fr', 'es', 'it', 'de', 'pt', 'nl', 'pl', 'ro', 'tr', 'ru', 'ar']),
    );
    expect(covered.size).toBe(LANGS.length * PLATFORMS.length * EVENT_TYPES.length);
  });

  for (const lang of LANGS)
    for (const platform of PLATFORMS) {
      const rows = ROWS.filter((r) => r[0] === lang && r[1] === platform);
      it(`${lang} ${platform}: the file reads as ${lang}, every line is an event, nothing unclassified`, () => {
        const r = results.get(`${lang}|${platform}`)!;
        expect(r.notes.language).toBe(lang);
        expect(r.unclassified.map((u) => u.raw)).toEqual([]);
        expect(r.messages.map((m) => m.text)).toEqual([]);
        expect(r.events).toHaveLength(rows.length);
      });
      rows.forEach(([, , line, type, actor, targets], i) => {
        it(`${lang} ${platform} ${type}: ${line.replace(/[\u200E\u200F\u202A-\u202E]/g, '')}`, () => {
          const e = results.get(`${lang}|${platform}`)!.events.find((ev) => ev.loc.line === i + 1);
          expect(e, 'no event for this line').toBeDefined();
          expect([e!.eventType, e!.actorKey, e!.targetKeys]).toEqual([
            type,
            actor === null ? null : key(actor),
            targets.map(key),
          ]);
        });
      });
    }
});

describe('around the phrase tables', () => {
  it('a system-looking line no rule knows stays counted and shown as unclassified', async () => {
    const p = await writeExport('unknown', [
      `3/14/23, 9:05 PM - Ana created group "Garden club"`,
      `3/14/23, 9:06 PM - Ana pinned a message`,
      `3/14/23, 9:07 PM - Boris: hello`,
    ]);
    const r = await read(p);
    expect(r.events.map((e) => e.eventType)).toEqual(['created']);
    expect(r.unclassified.map((u) => [u.raw, u.loc.line])).toEqual([
      [`3/14/23, 9:06 PM - Ana pinned a message`, 2],
    ]);
    expect(r.notes.unclassified).toEqual({ count: 1, examples: [`3/14/23, 9:06 PM - Ana pinned a message`] });
  });

  it('Arabic timestamps: Arabic-Indic digits, RLM marks, Arabic comma and ص/م are read', async () => {
    const h = parseHeader('[١٨\u200F/٣\u200F/٢٠٢٢، ٢:٥٦:٠٠ م] Ana: مرحبا ١٢٣')!;
    expect(h).toMatchObject({
      style: 'ios',
      fields: [18, 3, 2022],
      hour: 2,
      minute: 56,
      second: 0,
      ampm: 'pm',
    });
    // The digits of the message itself are left as written.
    expect(h.rest).toBe('Ana: مرحبا ١٢٣');
    expect(parseHeader('\u200F[\u200F18\u200F/3\u200F/2022، 14:56:01] Ana: hi')).toBeNull();
    expect(parseHeader('[\u200F18\u200F/3\u200F/2022، 14:56:01] Ana: hi')).toMatchObject({
      fields: [18, 3, 2022],
      hour: 14,
    });
    expect(parseHeader('١٨\u200F/٣\u200F/٢٠٢٢، ٩:٠٥ ص - Ana: hi')).toMatchObject({
      style: 'android',
      hour: 9,
      ampm: 'am',
    });
    const p = await writeExport('arabic-dates', [
      '[١٤\u200F/٣\u200F/٢٠٢٣، ٩:٠٥:٠٠ م] Ana: مرحبا',
      '[١٤\u200F/٣\u200F/٢٠٢٣، ١٢:٠١:٠٠ ص] Boris: أهلا',
    ]);
    const r = await read(p);
    expect(r.messages.map((m) => m.at)).toEqual([Date.UTC(2023, 2, 14, 21, 5), Date.UTC(2023, 2, 14, 0, 1)]);
    expect(r.notes.dateOrder).toMatchObject({ order: 'd/m/y', rule: 'first-field>12' });
  });

  it('a deleted-message marker with the iOS mark is a message, not "you removed …"', async () => {
    const p = await writeExport('deleted-ru', [
      `[14.03.2023, 21:05:00] Garden club: \u200EВы создали группу «Garden club»`,
      `[14.03.2023, 21:06:00] Ana: \u200EВы удалили данное сообщение.`,
      `[14.03.2023, 21:07:00] Boris: \u200EДанное сообщение удалено.`,
    ]);
    const r = await read(p);
    expect(r.events.map((e) => e.eventType)).toEqual(['created']);
    expect(r.messages.map((m) => [m.senderKey, m.kind])).toEqual([
      ['name:dev1:Ana', 'deleted'],
      ['name:dev1:Boris', 'deleted'],
    ]);
  });

  it('adding languages keeps each file in its own language (pt vs es, ro vs it, tr vs en)', () => {
    for (const [id, r] of results) expect([id, r.notes.language]).toEqual([id, id.split('|')[0]]);
  });
});
