// The message catalogue: every sentence the user reads lives here (English,
// the source) and in `locales/<tag>.ts` (one file per language, each typed
// `Catalogue`). See ui/README.md "Languages" for how to add one.
//
// Placeholders are `{name}`; plural forms are separate keys ending in
// `#one` / `#other` (every catalogue has both; a language whose CLDR rule
// has more categories adds `#few`, `#many`... as the rule in language.ts
// needs) and are read with `tn`. `catalogues.test.ts` fails on a missing
// form or a placeholder set that differs from English.
//
// The window's language is the one piece of module state in the UI: main.ts
// fixes it once with `useLanguage` before `start()`, and choosing another
// language reloads the window (ui/README "Invariants").

import { formatNumber, pluralCategory, type Language } from './language';

export const en = {
  'app.title': 'MFA Assistant',
  'app.version': 'Version {version}',
  'app.tenantLabel': 'Organisation: {name}',

  'demo.banner': 'Demo tenant — emulated, not Microsoft. Nothing here touches a real account.',
  'demo.usersTitle': 'Demo users',
  'demo.usersIntro': 'Sign in with one of these accounts on the demo sign-in page that opens in your browser.',
  'demo.colName': 'Name',
  'demo.colUpn': 'User name',
  'demo.colPassword': 'Password',
  'demo.colStory': 'What to try',

  'loading.text': 'Checking your sign-in…',

  'signIn.intro':
    'See the sign-in methods on your work account, check that losing one device can’t lock you out, and choose how you’re asked to prove it’s you.',
  'signIn.button': 'Sign in',
  'signIn.buttonHint': 'Opens your browser',
  'signIn.deviceCode': 'Sign in on another device',

  'settings.disclosure': 'Settings in use',
  'settings.managedFound': 'Your organisation manages settings on this computer in {file}. You can’t change those.',
  'settings.managedNone': 'Your organisation manages no settings on this computer (nothing at {file}).',
  'settings.managedFound.groupPolicy':
    'Your organisation manages settings on this computer through Group Policy or Intune ({file}). You can’t change those.',
  'settings.managedNone.groupPolicy':
    'Your organisation manages no settings on this computer through Group Policy or Intune (nothing at {file}).',
  'settings.managedFound.configurationProfile':
    'Your organisation manages settings on this Mac with a configuration profile ({file}). You can’t change those.',
  'settings.managedNone.configurationProfile':
    'Your organisation manages no settings on this Mac with a configuration profile (nothing at {file}).',
  'settings.userFound': 'Your own settings file: {file}.',
  'settings.userNone': 'You have no settings file of your own (the app looked at {file}).',
  'settings.ignored': 'Your own file also sets {keys}, but your organisation’s values are used.',
  'settings.colSetting': 'Setting',
  'settings.colValue': 'Value',
  'settings.colFrom': 'Comes from',
  'settings.origin.managed': 'Your organisation (locked)',
  'settings.origin.user': 'Your settings file',
  'settings.origin.builtIn': 'Built in',
  'settings.origin.demo': 'Demo tenant',
  'settings.notSet': 'Not set',
  'settings.yes': 'Yes',
  'settings.no': 'No',
  'settings.copyDiagnostics': 'Copy diagnostics',
  'settings.diagnosticsCopied': 'Copied. Paste it into your message to the helpdesk; it holds nothing secret.',
  'settings.diagnosticsSelect': 'Select the text below and copy it into your message to the helpdesk; it holds nothing secret.',
  'settings.diagnosticsEnglish': 'The report is in English, for your IT department and helpdesk.',
  'settings.helpdesk.relay': '{url} (your organisation’s relay)',
  'settings.helpdesk.zendesk': '{url} (Zendesk)',
  'settings.key.cloud': 'Cloud',
  'settings.key.tenant': 'Tenant',
  'settings.key.client_id': 'App (client) ID',
  'settings.key.authority_host': 'Sign-in service',
  'settings.key.graph_base': 'Microsoft Graph',
  'settings.key.graph_api': 'Graph version for sign-in methods',
  'settings.key.scopes': 'Permissions asked for',
  'settings.key.sign_in_timeout_seconds': 'Seconds allowed for browser sign-in',
  'settings.key.extra_root_certificate': 'Extra trusted certificate',
  'settings.key.helpdesk': 'Helpdesk for admin-reset requests',
  'settings.key.language': 'Language for users who have not chosen one',
  'settings.key.allow_demo_tenant': 'Demo tenant allowed',
  'settings.key.relay_scope': 'Relay permission for device proof',
  'settings.securityInfoUrl.unverified':
    '{url} (unverified: no Microsoft page gives this address for your cloud; if it does not open your Security Info, set security_info_url in the settings file)',
  'settings.relayScope.none': 'Not set: admin-reset requests from this computer go without device proof',

  'cloud.public': 'Microsoft cloud (worldwide)',
  'cloud.usGovernment': 'Microsoft cloud for US Government',
  'cloud.usGovernmentDoD': 'Microsoft cloud for US Government (DoD)',
  'cloud.china': 'Microsoft cloud operated by 21Vianet (China)',
  'cloud.custom': 'Custom',
  'cloud.demo': 'Demo tenant (emulated)',

  'waiting.title': 'Finish signing in in your browser…',
  'waiting.body':
    'Your browser opened your organisation’s sign-in page. Sign in there; this window continues by itself when you’re done.',
  'waiting.cancel': 'Cancel',
  'waiting.otherDevice': 'Browser didn’t open? Sign in on another device',

  'deviceCode.title': 'Sign in on another device',
  'deviceCode.getting': 'Getting a sign-in code…',
  'deviceCode.step1': 'On your phone or another computer, open this address:',
  'deviceCode.step1Qr': 'Or scan the QR code with your phone’s camera.',
  'deviceCode.step2': 'Enter this code:',
  'deviceCode.step3': 'Sign in with your work account. This window continues by itself when you’re done.',
  'deviceCode.copy': 'Copy code',
  'deviceCode.copied': 'Code copied.',
  'deviceCode.copyFailed': 'Couldn’t copy. Select the code and copy it yourself.',
  'deviceCode.expiresIn': 'The code expires in {time}.',
  'deviceCode.expired': 'The code has expired.',
  'deviceCode.qrLabel': 'QR code for {uri}',
  'deviceCode.cancel': 'Cancel',

  'info.title': 'Security info',
  'info.intro': 'These are the methods you use to sign in to your work account or reset your password.',
  'info.signOut': 'Sign out',
  'info.refresh': 'Refresh',
  'info.loading': 'Loading your security info…',
  'info.unavailable': 'Your security info couldn’t be loaded.',

  'health.title': 'How safe is your account?',
  'health.independent#one': '{count} independent method',
  'health.independent#other': '{count} independent methods',
  'health.independentHint': 'Methods that don’t depend on the same device or number.',
  'health.phishingResistant#one': '{count} phishing-resistant',
  'health.phishingResistant#other': '{count} phishing-resistant',
  'health.phishingResistantHint': 'Security keys and Windows Hello can’t be tricked by a fake sign-in page.',
  'health.belowMinimum': 'We recommend at least {minimum} independent methods.',
  'health.addMore': 'Add {missing} more so that losing one device doesn’t lock you out.',
  'health.singleDevice': 'All your sign-in methods are on one device. If you lose it, you can’t sign in.',
  'health.good': 'You have enough independent methods: losing one device won’t lock you out.',
  'health.ending':
    'Microsoft stops sending sign-in texts and calls on {date}, so they no longer count toward your independent methods.',
  'health.ended': 'Microsoft stopped sending sign-in texts and calls on {date}; they no longer work for signing in.',
  'health.endingOnlyWay':
    'Texts and calls are your only way to sign in, and Microsoft stops them on {date}. Register a passkey before then: in Microsoft Authenticator on your phone, or on a security key. If you don’t, you’ll have to register one the next time you sign in.',
  'health.endedOnlyWay':
    'Texts and calls were your only way to sign in, and Microsoft stopped them on {date}. Register a passkey now: in Microsoft Authenticator on your phone, or on a security key.',
  'health.samePhone': 'Is {number} on the same phone as Authenticator on {phone}?',
  'health.samePhoneHint': 'Methods on one phone are lost together. Until you say, we count them as one.',
  'health.samePhoneYes': 'Yes, same phone',
  'health.samePhoneNo': 'No, another phone',
  'health.lost.stillSignIn#one': 'If you lost {phone} today, you could still sign in with {count} other device.',
  'health.lost.stillSignIn#other': 'If you lost {phone} today, you could still sign in with {count} other devices.',
  'health.lost.onlyUntil':
    'If you lost {phone} today, you could sign in only with a text or call to another number, and only until {date}.',
  'health.lost.lockedOut':
    'If you lost {phone} today, you couldn’t sign in at all: only your helpdesk could let you back in.',

  'default.title': 'Default sign-in method',
  'default.intro': 'What you’re asked for first when you sign in.',
  'default.unknown': 'Your default method could not be read.',
  'default.none': 'You haven’t chosen a default method.',
  'default.push': 'Microsoft Authenticator – notification',
  'default.oath': 'Authenticator app or hardware token – code',
  'default.sms': 'Text a code to {phone}',
  'default.smsNoPhone': 'Text a code to your mobile phone',
  'default.voice': 'Call {phone}',
  'default.voiceMobileNoPhone': 'Call your mobile phone',
  'default.voiceAlternateMobileNoPhone': 'Call your alternate mobile phone',
  'default.voiceOfficeNoPhone': 'Call your office phone',
  'default.certificate': 'Certificate',
  'default.phoneCall': 'Phone call',
  'default.other': 'Other ({value})',
  'default.systemPreferred': 'Your organisation asks for the strongest method you have: {method}',
  'default.systemPreferredNoMethod': 'Your organisation asks for the strongest method you have.',
  'default.systemPreferredIgnored': 'Your own choice is ignored while this is on.',
  'default.yourChoice': 'Your choice:',
  'default.askedOrder': 'What you’ll actually be asked for, strongest first:',
  'default.askedEnding': '(ends {date})',
  'prompt.temporaryAccessPass': 'Temporary Access Pass',
  'prompt.passkey': 'Passkey or security key',
  'prompt.authenticatorPush': 'Microsoft Authenticator notification',
  'prompt.external': 'Your organisation’s external method',
  'prompt.code': 'Code from an authenticator app or token',
  'prompt.sms': 'Text message',
  'prompt.voice': 'Phone call',
  'prompt.qrCode': 'QR code and PIN',

  'methods.title': 'Your sign-in methods',
  'methods.empty': 'No methods registered',
  'methods.emptyHint': 'You have no sign-in methods on your account yet.',
  'methods.added': 'Added {date}',
  'methods.addedUnknown': 'Date added not known',
  'methods.badgeDefault': 'Default',
  'methods.badgePhishingResistant': 'Phishing-resistant',
  'methods.notMfa': 'Not an MFA method',
  'methods.authenticatorPasskey': 'Passkey in Authenticator on {phone}',
  'methods.authenticatorPasskeyProbably': 'Passkey in Authenticator, probably on {phone}',
  'methods.authenticatorPasskeyNoPhone': 'Passkey in Microsoft Authenticator',
  'methods.badgeEnding': 'Ending {date}',
  'methods.badgeEnded': 'Ended {date}',
  'methods.remove': 'Remove',
  'methods.tokenSerial': 'serial {serial}',
  'methods.unreadable': 'Microsoft sent this method in a form the app cannot read. It is still on your account; change it on the Security Info page.',
  'methods.managedExternal': 'Managed by your organisation’s external sign-in provider: change it with them or your helpdesk, not here or in Security Info.',
  'methods.managedExternalNamed': 'Managed by {provider}, your organisation’s external sign-in provider: change it with them or your helpdesk, not here or in Security Info.',
  'methods.managedOrganisation': 'Issued by your organisation (a QR code badge and a PIN): your manager or helpdesk replaces the badge or resets the PIN.',
  'methods.removeLabel': 'Remove {method}',

  'kind.password': 'Password',
  'kind.microsoftAuthenticator': 'Microsoft Authenticator',
  'kind.phone': 'Phone',
  'kind.email': 'Email',
  'kind.fido2': 'Security key (FIDO2 passkey)',
  'kind.windowsHelloForBusiness': 'Windows Hello for Business',
  'kind.platformCredential': 'Platform credential (macOS)',
  'kind.softwareOath': 'Authenticator app (TOTP)',
  'kind.hardwareOath': 'Hardware token',
  'kind.temporaryAccessPass': 'Temporary Access Pass',
  'kind.external': 'External method',
  'kind.qrCodePin': 'QR code + PIN',
  'kind.other': 'Other method',

  'phoneType.mobile': 'Mobile',
  'phoneType.alternateMobile': 'Alternate mobile',
  'phoneType.office': 'Office',
  // A phone type as the placeholder {type} reads it inside a sentence
  // ("your {type} phone", "add the {type} phone"): translators give the
  // form their templates need.
  'phoneType.inSentence.mobile': 'mobile',
  'phoneType.inSentence.alternateMobile': 'alternate mobile',
  'phoneType.inSentence.office': 'office',

  'locked.cantSignIn': 'I can’t sign in',
  'locked.haveTap': 'I have a Temporary Access Pass',
  'locked.backToSignIn': 'Back to sign-in',
  'locked.triageTitle': 'What happened?',
  'locked.triageIntro': 'Pick what fits best. Where you can fix it yourself, we show you how first; otherwise you can ask your helpdesk to reset your sign-in methods.',
  'locked.reason.lostPhone': 'I lost my phone',
  'locked.reason.brokenPhone': 'My phone is broken or was wiped',
  'locked.reason.newPhone': 'I have a new phone',
  'locked.reason.numberChanged': 'My phone number changed',
  'locked.reason.promptsNotArriving': 'The sign-in prompts never arrive',
  'locked.reason.codesRejected': 'My codes are rejected',
  'locked.reason.blockedByPolicy': 'I’m blocked by a policy or see an error code',
  'locked.reason.other': 'Something else',
  'locked.selfHelpTitle': 'Try this first',
  'locked.noSelfHelp': 'There’s nothing you can safely fix yourself here. Ask your helpdesk for a reset below.',
  'locked.otherWay':
    'On the Microsoft sign-in page, choose “Sign in another way”. If you registered another method (a text or call to another phone, an office phone, a security key), use it — then add a new method at once so this can’t happen again.',
  'locked.oldPhoneFirst':
    'If your old phone still works, sign in with it and add the new phone before you wipe or hand in the old one.',
  'locked.newNumber':
    'If you can still sign in another way, change the number yourself in the app after sign-in. The helpdesk never adds a new number for you over the phone.',
  'locked.codesClock':
    'Codes from an authenticator app live only 30 seconds and depend on the phone’s clock. Turn on automatic date and time (Android: Settings › System › Date & time; iPhone: Settings › General › Date & Time › Set Automatically), then try a fresh code.',
  'locked.pushAndroid':
    'Android: the system may stop Microsoft Authenticator in the background. Turn battery optimisation off for it (Settings › Apps › Authenticator › Battery › Unrestricted).',
  'locked.pushIos':
    'iPhone: allow notifications for Microsoft Authenticator (Settings › Notifications › Authenticator), and check the phone has a connection.',
  'locked.pushOpenApp': 'You can also open Authenticator and pull down to refresh: a waiting request often appears.',
  'locked.codesTitle': 'Sign-in error codes and what they mean',
  'locked.codeCol': 'Code',
  'locked.meaningCol': 'What it means',
  'locked.doCol': 'What to do',
  'locked.code.50079.means': 'You must register a sign-in method (for example after a reset).',
  'locked.code.50079.do': 'Good news: a reset worked. Sign in and register your methods on Security Info.',
  'locked.code.50076.means': 'This sign-in needs the extra check (MFA), for example after a policy change or from a new location.',
  'locked.code.50076.do': 'Sign in again and complete the extra check when it’s asked for.',
  'locked.code.50074.means': 'The extra sign-in check (MFA) was required and wasn’t passed.',
  'locked.code.50074.do': 'Check your phone has a connection and notifications are on, then try again.',
  'locked.code.53003.means': 'A Conditional Access policy blocked the sign-in.',
  'locked.code.53003.do': 'Only an admin can change this (policy, your location or device). Ask your helpdesk.',
  'locked.code.500121.means': 'The extra sign-in check (MFA) failed or wasn’t completed. (Microsoft’s list of error codes doesn’t describe this one.)',
  'locked.code.500121.do': 'Remove and add your work account again in Authenticator, or ask for a reset.',
  'locked.code.0x800434D4L.means': 'An older (non-browser) app couldn’t sign in.',
  'locked.code.0x800434D4L.do': 'Use an app password where your organisation still allows them, or update the app.',
  'locked.stillCant': 'I still can’t sign in',
  'locked.requestReset': 'Request an admin reset',

  'reset.title': 'Request an admin reset',
  'reset.intro': 'Your helpdesk can reset your sign-in methods. You don’t need to sign in to ask.',
  'reset.safety':
    'The helpdesk will call you back on the number in the company directory to check it’s really you. They will never ask you to add a new phone number, and they will never take one from this request.',
  'reset.notConfiguredTitle': 'Your organisation hasn’t set this up',
  'reset.notConfigured':
    'This app can’t send reset requests for your organisation. Call or visit your helpdesk instead, and ask them to check it’s you by calling the number in the company directory.',
  'reset.upnLabel': 'Your work account',
  'reset.upnHint': 'The account you sign in with, for example adele@contoso.com.',
  'reset.upnEmpty': 'Enter your work account, for example adele@contoso.com.',
  'reset.upnShape': 'A work account looks like name@company.com.',
  'reset.reasonLabel': 'What happened',
  'reset.stillHasLegend': 'What do you still have?',
  'reset.stillHas.password': 'My password',
  'reset.stillHas.oldPhone': 'My old phone',
  'reset.stillHas.phoneNumber': 'My phone number',
  'reset.stillHas.securityKey': 'A security key',
  'reset.stillHas.authenticatorApp': 'An authenticator app',
  'reset.stillHas.email': 'Access to my email',
  'reset.stillHas.nothing': 'Nothing of these',
  'reset.stillHasEmpty': 'Pick what you still have, or “Nothing of these”.',
  'reset.nothingAlone': '“Nothing of these” cannot be picked with other things.',
  'reset.detailNeeded': 'Say in a few words what happened.',
  'reset.textTooLong': 'At most {max} characters; this is {length}.',
  'reset.upnDomain': '{domain} isn’t one of your organisation’s domains ({domains}). Use your work account.',
  'reset.contract': 'This can’t be sent as it is. Change it and try again.',
  'reset.textHidden': 'This has an invisible or control character, perhaps from pasted text; type it again.',
  'reset.callbackLegend': 'How can the helpdesk check it’s you?',
  'reset.callback.directoryPhone': 'Call me on the number in the company directory',
  'reset.callback.directoryPhoneHint': 'Recommended: the quickest safe way.',
  'reset.callback.manager': 'Through my manager',
  'reset.callback.managerHint': 'Your manager confirms it’s you.',
  'reset.callback.inPerson': 'In person at the service desk',
  'reset.callback.inPersonHint': 'Bring your ID badge.',
  'reset.availabilityLabel': 'When can they reach you? (optional)',
  'reset.availabilityHint': 'For example “weekdays 9–17 CET”.',
  'reset.detailLabel': 'Anything else the helpdesk should know? (optional)',
  'reset.detailLabelOther': 'Say in a few words what happened',
  'reset.preview': 'Check the request',
  'reset.previewTitle': 'Check your request',
  'reset.proof.enrolled': 'This computer holds a device key enrolled for this account on {date}; the request is signed with it. If your organisation’s relay no longer knows that key (it was removed, or you said “this wasn’t me” about it), the helpdesk sees the request as unverified.',
  'reset.proof.unverified': 'This computer has no enrolled device key for this account; the helpdesk will treat it as unverified.',
  'reset.previewIntro': 'This is exactly what will be sent to {helpdesk}. Nothing has been sent yet.',
  'reset.phraseLabel': 'Your verification phrase',
  'reset.phraseHint': 'The helpdesk will ask you for this phrase when they call. Keep this window open or write it down. Never tell it to anyone who calls you unasked.',
  'reset.unverified': 'Marked as unverified: the helpdesk will check it’s you before doing anything.',
  'reset.field.upn': 'Work account',
  'reset.field.reason': 'What happened',
  'reset.field.detail': 'Details',
  'reset.field.stillHas': 'You still have',
  'reset.field.callback': 'How they check it’s you',
  'reset.field.availability': 'When to reach you',
  'reset.field.device': 'This computer',
  'reset.field.created': 'Written',
  'reset.none': '—',
  'reset.runbookTitle': 'What the helpdesk will usually do, in this order (your organisation sets the steps)',
  // The relay's default runbook (helpdesk_contract::ticket::DEFAULT_RUNBOOKS,
  // checked by tests/loopback_words.rs): shown to the user in their language.
  'reset.runbook.1': 'This request is UNAUTHENTICATED: anyone could have sent it. Do not act on it until identity is verified.',
  'reset.runbook.2': 'Verify identity out of band: call the user back on the number in the company directory (never a number given in the request), or confirm with their manager. Ask for the verification phrase shown on the user\'s screen; it must match this ticket.',
  'reset.runbook.3': 'Use the least-privileged role: Authentication Administrator for standard users; Privileged Authentication Administrator if the user holds an admin role.',
  'reset.runbook.4': 'Prefer a Temporary Access Pass (Entra admin center > Users > the user > Authentication methods > Add authentication method > Temporary Access Pass) over deleting every method. Deliver it on the verified call, never by email to the locked mailbox.',
  'reset.runbook.5': 'Only if methods must go (lost or compromised device): delete those methods, or Require re-register multifactor authentication.',
  'reset.runbook.6': 'Revoke the user\'s sign-in sessions (Revoke sessions, or Graph revokeSignInSessions) so stale tokens do not cause MFA loops.',
  'reset.runbook.7': 'Delete the user\'s app passwords if any exist; legacy apps using them will need new ones.',
  'reset.runbook.8': 'Tell the user before you act: Outlook, Teams and other apps will sign them out and ask them to sign in again; they should then register at least three methods.',
  'reset.payloadSummary': 'The exact data that will be sent',
  'reset.send': 'Send',
  'reset.change': 'Change something',
  'reset.sentTitle': 'Your request',
  'reset.status.pending': 'Kept on this computer until the helpdesk has it',
  'reset.status.accepted': "Your organisation's relay has your request",
  'reset.status.delivered': 'The helpdesk has your request',
  'reset.acceptedNext': "It is filing it with the helpdesk; the ticket number will appear here. Your reference: {reference}",
  'reset.acceptedTrouble': '{message} The relay keeps trying, and its operator can send it again; if nobody calls you, call or visit your helpdesk.',
  'reset.status.refused': 'The helpdesk refused the request',
  'reset.ticket': 'Ticket number',
  'reset.attempts#one': 'Tried {count} time so far.',
  'reset.attempts#other': 'Tried {count} times so far.',
  'reset.notTriedYet': 'Sending now…',
  'reset.lastError': 'Last problem: {message}',
  'reset.refusedReason': 'Reason: {message}',
  'reset.refusedNext': 'Call or visit your helpdesk instead.',
  'reset.retryAutomatically': 'The app keeps trying by itself, also after a restart.',
  'reset.tryAgainNow': 'Try again now',
  'reset.retrying': 'Trying again…',
  'reset.nextTitle': 'What happens next',
  'reset.next1': 'The helpdesk calls you back on the number in the company directory (or as you asked).',
  'reset.next2': 'They ask for your verification phrase:',
  'reset.next3': 'They give you a Temporary Access Pass, a code that lets you sign in for a short time.',
  'reset.next4': 'Sign in with the pass and add new methods. Then sign in again everywhere: Outlook and Teams will ask you.',
  'reset.listTitle': 'Your reset requests',
  'reset.listItem': '{upn}, {date}',
  'reset.show': 'Show',
  'reset.delivered': 'Ticket {ticket} received by the helpdesk.',

  'tap.title': 'Sign in with a Temporary Access Pass',
  'tap.intro': 'Your helpdesk or account recovery gave you a Temporary Access Pass: a code that works for a short time instead of your password and phone.',
  'tap.step1': 'Select “Sign in with the pass” below. The Microsoft sign-in page opens in your browser.',
  'tap.step2': 'Enter your work account, then choose “Use a Temporary Access Pass” and type the pass instead of your password.',
  'tap.step3': 'Back here, the app helps you add new sign-in methods straight away, so you’re never left with only one.',
  'tap.signIn': 'Sign in with the pass',
  'tap.signedIn': 'Signed in with your Temporary Access Pass. Add a sign-in method now, before the pass runs out.',

  'recovery.pass#one': 'Your Temporary Access Pass works until {time}: about {count} minute left.',
  'recovery.pass#other': 'Your Temporary Access Pass works until {time}: about {count} minutes left.',
  'recovery.passEnding': 'Your Temporary Access Pass stops working at {time}, in less than a minute.',
  'recovery.passNoEnd': 'You’re signed in with a Temporary Access Pass, which works for a limited time.',
  'recovery.count': 'You have {have} of the {need} independent ways to sign in we recommend; the app helps you add the rest now, one after another.',
  'recovery.done': 'You’re back to {have} independent ways to sign in: losing one device no longer locks you out.',
  'recovery.stalled':
    'That registration didn’t add another device, so the app stopped here. You have {have} of {need}: add one on a device you don’t use for signing in yet.',

  'passEnded.title': 'Your Temporary Access Pass has run out',
  'passEnded.at': 'It stopped working at {time}.',
  'passEnded.have#one': 'You have {count} independent way to sign in, of the {need} we recommend.',
  'passEnded.have#other': 'You have {count} independent ways to sign in, of the {need} we recommend.',
  'passEnded.methods': 'On your account now:',
  'passEnded.left#one': 'Still to add: {count} more, on a device you don’t use for signing in yet.',
  'passEnded.left#other': 'Still to add: {count} more, each on a device you don’t use for signing in yet.',
  'passEnded.nextWithMethod': 'Sign in again with what you added, and the app helps you add the rest.',
  'passEnded.nextNoMethod': 'Nothing was added in time, so you can’t sign in on your own: ask your helpdesk for a new pass.',
  'passEnded.signIn': 'Back to sign-in',

  'status.signedOutRemoved': 'Signed out. Your sign-in was removed from this computer’s keychain.',
  'status.signedOut': 'Signed out.',
  'status.expired': 'Your sign-in has expired; please sign in again.',
  'status.cancelled': 'Sign-in cancelled.',

  'error.config_invalid': 'The app’s settings could not be read.',
  'error.not_configured': 'This app hasn’t been set up for your organisation yet. Ask your IT department.',
  'error.keychain_unavailable':
    'This computer has no keychain to keep your sign-in safe, so the app won’t store it anywhere else.',
  'error.keychain_locked': 'Your keychain is locked. Unlock it and try again.',
  'error.not_signed_in': 'You’re not signed in.',
  'error.session_expired': 'Your sign-in has expired; please sign in again.',
  'error.sign_in_cancelled': 'Sign-in was cancelled.',
  'error.sign_in_timed_out': 'The sign-in took too long and was stopped.',
  'error.sign_in_failed': 'Sign-in didn’t work.',
  'error.sign_in_in_progress': 'Another sign-in is still waiting for your browser.',
  'error.browser_unavailable': 'No browser could be opened, so you can sign in on another device instead.',
  'error.service_busy': 'Your organisation’s service is busy. Wait a moment and try again.',
  'error.network': 'Your organisation’s service couldn’t be reached. Check your connection and try again.',
  'error.service_error': 'Your organisation’s service answered with an error.',
  'error.not_in_this_cloud':
    'Microsoft does not offer this part of Microsoft Graph in your organisation’s cloud, or the app is set up for another cloud. The Security Info page still works; tell your IT team (the “cloud” setting).',
  'error.invalid_input': 'The app sent something the service couldn’t accept.',
  'error.confirm_identity': 'Confirm it’s you before changing your sign-in methods. Nothing was changed.',
  'error.change_not_allowed': 'Your organisation doesn’t let this app make that change. You can make it on the Security Info page.',
  'error.wrong_account': 'You confirmed with a different account than the one signed in here.',
  'error.change_refused': 'That change could leave you unable to sign in, so it wasn’t made.',
  'error.change_not_verified': 'The change was sent, but your account doesn’t show it yet.',
  'error.helpdesk_not_configured': 'Your organisation hasn’t set up admin-reset requests in this app. Contact your helpdesk by phone or in person.',
  'error.journey_busy': 'Another MFA Assistant window is changing your account right now.',
  'error.method_gone': 'That method is no longer on your account. It may have been removed somewhere else.',
  'error.internal': 'Something went wrong inside the app.',

  'detail.setting': 'The setting “{key}” in {file}. The app’s diagnostics tell your IT department why.',
  'detail.settingFile': 'The file {file}. The app’s diagnostics tell your IT department why.',
  'detail.forIt': 'For your IT department: {facts}.',
  'detail.separator': ', ',
  'detail.status': 'answer {status}',
  'detail.code': 'code {code}',
  'detail.requestId': 'request ID {requestId}',
  'detail.retryAfter#one': 'It asked the app to wait {count} second.',
  'detail.retryAfter#other': 'It asked the app to wait {count} seconds.',
  'detail.waited#one': 'The app waited {count} second for your browser.',
  'detail.waited#other': 'The app waited {count} seconds for your browser.',
  'detail.accounts': 'Signed in here: {signedIn}. Confirmed in the browser: {confirmed}.',
  'detail.signIn.stateMismatch': 'The answer that reached the app didn’t belong to this sign-in, so nothing was accepted.',
  'detail.signIn.codeRefused': 'The sign-in was refused: it may have expired, been used already or been revoked.',
  'detail.signIn.refused': 'Microsoft’s sign-in service refused the sign-in.',
  'detail.signIn.idToken': 'The answer from Microsoft’s sign-in service didn’t pass the app’s checks.',

  'refusal.passwordCannotBeRemoved': 'Your password can’t be removed here.',
  'refusal.lastMethod': 'It’s your last way to prove it’s you. Add another method first.',
  'refusal.belowRequired#one': 'You’d be left with {count} independent method; your organisation requires at least {required}.',
  'refusal.belowRequired#other': 'You’d be left with {count} independent methods; your organisation requires at least {required}.',
  'refusal.isDefault': 'It’s your default sign-in method. Choose another default first.',
  'refusal.replacementNotVerified': 'Its replacement hasn’t been shown to work yet. Finish checking the new method first.',
  'refusal.mobileNeededByAlternate': 'Your alternate mobile phone needs a mobile phone. Remove the alternate first, or change the mobile phone’s number instead.',
  'refusal.phoneTypeTaken': 'You already have a phone of this type ({type}). Change its number instead.',
  'refusal.alternateNeedsMobile': 'An alternate mobile phone needs a mobile phone first.',
  'refusal.duplicateNumber': 'That number is already registered as your phone of this type: {type}.',
  'refusal.unchangedNumber': 'That’s already the number on this phone.',
  'refusal.notAPhone': 'That method isn’t a phone.',
  'refusal.noMethodForDefault': 'None of your methods can answer this: {method}.',
  'refusal.alreadyDefault': 'That’s already your default.',

  'delivery.unreachable': 'The helpdesk couldn’t be reached.',
  'delivery.answered': 'The helpdesk answered {status}.',
  'delivery.answeredCode': 'The helpdesk answered {status} ({code}).',
  'delivery.noReference': 'The helpdesk answered {status} without saying which request it has.',
  'delivery.notFiledYet': 'The relay hasn’t been able to file it in the helpdesk yet.',
  'delivery.unencodable': 'The request couldn’t be prepared for sending.',
  'delivery.unrecorded': 'The last attempt didn’t work.',

  'changes.title': 'Change your security info',
  'changes.intro': 'The app walks you through each change in a safe order: the new is added and tested before the old is removed.',
  'changes.newPhone': 'I have a new phone',
  'changes.newPhoneHint': 'Move Microsoft Authenticator to your new phone.',
  'changes.changeNumber': 'My phone number changed',
  'changes.changeNumberHint': 'Give your account your new number.',
  'changes.chooseDefault': 'Choose my default',
  'changes.chooseDefaultHint': 'Pick what you’re asked for first when you sign in.',
  'changes.activityLog': 'Activity log',
  'changes.activityLogHint': 'Every change this app made, with before and after.',
  'changes.back': 'Back to security info',
  'changes.cancel': 'Cancel',

  'health.addSuggestion': 'Add {method}',
  'health.suggestWhy.securityKey':
    'A security key or passkey is phishing-resistant: a fake sign-in page can’t trick it. It’s also a separate device, so it still works if you lose your phone.',
  'health.suggestWhy.authenticator':
    'Microsoft Authenticator on a phone gives you sign-in notifications, and counts as a separate way in from your other methods.',
  'health.suggestWhy.authenticatorApp':
    'An authenticator app that shows codes works even without a network connection, and adds another independent way to sign in.',
  'registration.securityKey': 'a security key or passkey',
  'registration.authenticator': 'Microsoft Authenticator',
  'registration.authenticatorPasskey': 'a passkey in Microsoft Authenticator',
  'registration.authenticatorApp': 'an authenticator app',
  'registration.phone': 'a phone number',

  'newPhone.title': 'I have a new phone',
  'newPhone.question': 'Do you still have your old phone?',
  'newPhone.stillHave': 'Yes, I still have it',
  'newPhone.lost': 'No, it’s lost, broken or already gone',
  'newPhone.lostNote':
    'That’s fine. The app still adds your new phone first and removes the old one last, so your account is never without a way to sign in. Removing the old phone also stops anyone who finds it from approving sign-ins.',
  'newPhone.stillNote':
    'Keep the old phone nearby until the end: it stays on your account until the new one is set up and tested.',
  'newPhone.start': 'Start',

  'phoneNumber.title': 'My phone number changed',
  'phoneNumber.which': 'Which phone?',
  'phoneNumber.current': 'now {number}',
  'phoneNumber.none': 'not set up: add one',
  'phoneNumber.label': 'New number',
  'phoneNumber.hint': 'Country code first, then the number, e.g. +44 7700900123 or +1 4255550123x123 with an extension.',
  'phoneNumber.empty': 'Enter the new number.',
  'phoneNumber.noPlus': 'Start with + and the country code.',
  'phoneNumber.noSpace': 'Put a space after the country code.',
  'phoneNumber.country': 'The country code must be 1 to 4 digits.',
  'phoneNumber.digits': 'The number may contain only digits (spaces, dots, hyphens and brackets are fine).',
  'phoneNumber.length': 'The number after the country code must be 4 to 15 digits.',
  'phoneNumber.extension': 'An extension after x must be 1 to 10 digits.',
  'phoneNumber.example': 'For example: +44 7700900123, or +1 4255550123x123 with an extension.',
  'phoneNumber.labelAgain': 'The new number again',
  'phoneNumber.againEmpty': 'Type the new number again, so a slipped digit is caught.',
  'phoneNumber.differ': 'The two numbers differ ({first} and {again}); type the same number twice.',
  'phoneNumber.proof':
    'The new number is tested before your old one goes: the Security Info page sends it a code, or you sign in choosing it. If the test fails, your old number stays.',
  'phoneNumber.replacing': 'This number replaces another of my phones',
  'phoneNumber.replacingWhich': 'Which phone does it replace?',
  'phoneNumber.replacingNote': 'The new phone is added first, becomes the default if the old one was, and the old one is removed last.',
  'phoneNumber.start': 'Continue',

  'chooseDefault.title': 'Choose my default',
  'chooseDefault.intro': 'This is what you’re asked for first when you sign in. Stronger choices are listed first.',
  'chooseDefault.introSystem':
    'Your organisation decides what you’re asked for first. You can still pick the method used in the few sign-ins where your choice counts.',
  'chooseDefault.current': 'Current default',
  'chooseDefault.none': 'You have no method that can be a default yet.',
  'chooseDefault.systemTitle': 'Your organisation chooses for you at the moment',
  'chooseDefault.systemBody':
    'System-preferred MFA is on: when you sign in, Entra asks for {method} first, the strongest method you have, whatever you pick here.',
  'chooseDefault.systemBodyNoMethod':
    'System-preferred MFA is on: when you sign in, Entra asks for the strongest method you have, whatever you pick here.',
  'chooseDefault.exceptions':
    'Your choice still counts in two places where Entra can’t choose for you: sign-ins through the NPS extension (often a VPN or Wi-Fi that asks for MFA) and through AD FS. It is also used if your organisation turns system-preferred MFA off.',
  'chooseDefault.start': 'Make it my default',
  'chooseDefault.startKept': 'Save my choice for those sign-ins',
  'chooseDefault.pick': 'Choose a method that isn’t already your default.',

  'remove.title': 'Remove {method}?',
  'remove.intro':
    'The app first checks that you’ll still be able to sign in without it. If the change would lock you out it won’t be made; if it only makes your account weaker, you’ll be asked before anything is removed.',
  'remove.start': 'Remove',
  'remove.refused': 'This method can’t be removed right now.',

  'journey.title.newPhone': 'Set up your new phone',
  'journey.title.phoneNumber': 'Change your phone number',
  'journey.title.chooseDefault': 'Choose your default sign-in method',
  'journey.title.addMethod': 'Add a sign-in method',
  'journey.title.removeMethod': 'Remove a sign-in method',
  'journey.progress': 'Step {step} of {total}',
  'journey.progressDone': 'All {total} steps done',
  'journey.stepsLabel': 'Steps',
  'journey.state.done': 'Done',
  'journey.state.current': 'Now',
  'journey.state.pending': 'To do',
  'journey.stop': 'Stop',
  'journey.stopHint': 'Steps already done stay done; nothing is left half-done.',
  'journey.oldLost': 'Your old phone is gone: it will be removed at the end, once the new one works.',
  'journey.resumeTitle': 'You have an unfinished change',
  'journey.resumeBody': 'You stopped here last time. Continue where you left off, or stop the change.',
  'journey.resume': 'Continue',
  'journey.tryAgain': 'Try again',
  'journey.checking': 'Checking your account…',

  'step.confirmIdentity.title': 'Confirm it’s you',
  'step.confirmIdentity.why':
    'Your organisation accepts changes to sign-in methods only from someone who proved it’s them in the last few minutes. Your browser opens and asks you to sign in again.',
  'step.register.title.authenticator': 'Set up Microsoft Authenticator on your new phone',
  'step.register.title.authenticatorPasskey': 'Create a passkey in Authenticator on your new phone',
  'step.register.title.authenticatorApp': 'Add an authenticator app',
  'step.register.title.securityKey': 'Register a security key or passkey',
  'step.register.title.phone': 'Set up {name} on the Security Info page',
  'step.register.why.authenticator':
    'The new phone is added and tested before anything is removed, so you’re never without a way to sign in.',
  'step.register.why.authenticatorPasskey':
    'Your old phone’s passkey stays on that phone (a passkey doesn’t move with a backup), so the new phone gets its own before the old one is removed.',
  'step.register.why.authenticatorApp': 'Codes from an app add another way to sign in that works offline.',
  'step.register.why.securityKey':
    'A security key or passkey can’t be tricked by a fake sign-in page and doesn’t depend on your phone.',
  'step.register.why.phone':
    'The Security Info page tests the new number with a code before it changes anything, so the change is made there; this window watches for it.',
  'step.confirmWorks.title': 'Check that it works',
  'step.confirmWorks.why': 'Nothing is removed until you say the new method works.',
  'step.setDefault.title': 'Make it your default: {choice}',
  'step.setDefault.why': 'This is what you’ll be asked for first when you sign in.',
  'step.addPhone.title': 'Add {number} as your {type} phone',
  'step.addPhone.why': 'The new number is added before any old one is removed.',
  'step.updatePhone.title': 'Change your {type} phone to {number}',
  'step.updatePhone.why': 'Texts and calls for signing in go to the new number from then on.',
  'step.remove.title': 'Remove {method}',
  'step.remove.why.newPhone':
    'Removed last, once the new phone works, so the old phone can no longer be used to sign in as you.',
  'step.remove.why': 'Removed only after the checks that you’ll still be able to sign in.',
  'step.verify.title': 'Check your account',
  'step.verify.why': 'The app reads your security info again to make sure every change really happened.',
  'step.unknown.title': 'Step: {name}',
  'step.methodUnknown': 'a sign-in method',

  'waiting.continue.title': 'This step did not finish',
  'waiting.continue.body': 'Continue to run it again. Nothing that was already done is sent twice.',
  'waiting.confirmIdentity.title': 'Confirm it’s you in your browser',
  'waiting.confirmIdentity.body': 'Your browser opens your organisation’s sign-in page. Sign in there; this window continues by itself.',
  'waiting.confirmIdentity.button': 'Confirm it’s me',
  'waiting.confirmIdentity.inBrowser': 'Finish signing in in your browser…',
  'waiting.confirmIdentity.cancel': 'Cancel',
  'waiting.confirmIdentity.expired':
    'Your confirmation expired. Confirm again and the app will retry where you left off; nothing was changed in the meantime.',
  'waiting.register.title.authenticator': 'Set up Microsoft Authenticator on your new phone',
  'waiting.register.title.authenticatorPasskey': 'Create a passkey in Authenticator on your new phone',
  'waiting.register.title.authenticatorApp': 'Add an authenticator app',
  'waiting.register.title.securityKey': 'Register a security key or passkey',
  'waiting.register.title.phone': 'Set up the new number on the Security Info page',
  'waiting.register.step1.authenticator': 'On your new phone, install Microsoft Authenticator from the app store.',
  'waiting.register.step1.authenticatorPasskey': 'On your new phone, open Microsoft Authenticator and make sure it is signed in to your work account.',
  'waiting.register.step1.authenticatorApp': 'Have your authenticator app ready on a device you keep with you.',
  'waiting.register.step1.securityKey': 'Have your security key ready, or the device that will hold your passkey.',
  'waiting.register.step1.phone': 'Have the phone with the number {number} nearby.',
  'waiting.register.step2': 'Open the Security Info page: scan this QR code with the new phone, or open it on this computer.',
  'waiting.register.step3.authenticator': 'Choose “Add sign-in method”, then Microsoft Authenticator, and follow the steps. Approve the test notification.',
  'waiting.register.step3.authenticatorPasskey': 'Choose “Add sign-in method”, then Passkey in Microsoft Authenticator, and follow the steps on the new phone.',
  'waiting.register.step3.authenticatorApp': 'Choose “Add sign-in method”, then Authenticator app, scan the code it shows and enter the code from the app.',
  'waiting.register.step3.securityKey': 'Choose “Add sign-in method”, then Security key, and follow the steps.',
  'waiting.register.step3.phone':
    'Add or change the {type} phone to {number} there, and enter the code the page sends to it. Your old number stays until you do: if no code arrives, check the number; nothing has changed.',
  'waiting.register.watching': 'Watching your account for the new registration. This continues by itself when it appears.',
  'waiting.register.checkNow': 'Check now',
  'waiting.register.qrLabel': 'QR code for the Security Info page: {uri}',
  'waiting.register.fallbackTitle': 'Change the number on the Security Info page',
  'waiting.register.fallbackBody':
    'Microsoft didn’t let this app change your phone number for you (most organisations allow that only on the Security Info page), so make the change there: you won’t need to confirm it’s you again here, nothing else was changed, and this window continues by itself once your account shows the new number.',
  'waiting.changeDefault.title': 'Choose your default on the Security Info page',
  'waiting.changeDefault.why':
    'Microsoft didn’t let this app change your default sign-in method for you, so choose it yourself under “Change default” on the Security Info page; nothing else was changed, and this window continues by itself once your account shows the new default.',
  'waiting.changeDefault.step': 'Choose “Change default”, then “{choice}”, and confirm.',
  'waiting.changeDefault.watching': 'Watching your account for the new default. This continues by itself when it appears.',
  'waiting.openSecurityInfo': 'Open Security Info',
  'waiting.openedSecurityInfo': 'The Security Info page opened in your browser.',
  'waiting.confirmWorks.title': 'Did the test notification arrive, and did you approve it?',
  'waiting.confirmWorks.help':
    'At the end of the set-up the Security Info page sends a test notification to the new phone. If it didn’t arrive: check the phone is online and notifications are allowed for Authenticator, then send another test from the Security Info page.',
  'waiting.confirmWorks.title.authenticatorPasskey': 'Did signing in with the new phone’s passkey work?',
  'waiting.confirmWorks.help.authenticatorPasskey':
    'Sign in to the Security Info page choosing “Sign in another way”, then your passkey, and use the new phone. Your old phone’s passkey stays until this works.',
  'waiting.confirmWorks.title.phone': 'Did a code or call reach the new number?',
  'waiting.confirmWorks.help.phone':
    'Sign in choosing “Sign in another way” and the new number, or enter the code the Security Info page sends to it. Your old number stays until this works.',
  'waiting.confirmWorks.works': 'Yes, it works',
  'waiting.confirmWorks.notWorking': 'No, it’s not working',
  'waiting.confirmWorks.notWorkingNote':
    'Nothing was removed: your old method stays until the new one works. Try the set-up again on the Security Info page, then answer again.',
  'waiting.acceptConcerns.title': 'Before you remove it',
  'waiting.acceptConcerns.intro': 'You can remove it, but your account will be weaker:',
  'waiting.acceptConcerns.belowRecommended#one':
    'You’d have {count} independent way to sign in; we recommend at least {recommended}, so that losing one device doesn’t lock you out.',
  'waiting.acceptConcerns.belowRecommended#other':
    'You’d have {count} independent ways to sign in; we recommend at least {recommended}, so that losing one device doesn’t lock you out.',
  'waiting.acceptConcerns.singleDevice': 'All your remaining sign-in methods would be on one device. If you lose it, you can’t sign in.',
  'waiting.acceptConcerns.losesPhishingResistance':
    'You’d have no phishing-resistant method left (a security key, passkey or Windows Hello), which a fake sign-in page can’t trick.',
  'waiting.acceptConcerns.other': 'Another concern: {kind}',
  'waiting.acceptConcerns.accept': 'I understand, remove it',
  'waiting.acceptConcerns.keep': 'Keep it',
  'waiting.finished.title': 'All done',
  'waiting.finished.body': 'Your account shows the change. What happened:',
  'waiting.finished.alreadyGone': 'It had already been removed somewhere else, so the app didn’t remove anything again.',
  'waiting.finished.close': 'Back to security info',
  'status.journeyStopped': 'The change was stopped. Steps already done stay done.',
  'status.journeyFinished': 'Your security info is up to date.',
  'status.kept': 'Nothing was removed.',

  'activity.title': 'Activity log',
  'activity.intro': 'Every change this app made to your account on this computer, newest first.',
  'activity.empty': 'The app hasn’t changed anything yet.',
  'activity.loading': 'Loading the activity log…',
  'activity.colTime': 'When',
  'activity.colAction': 'What',
  'activity.colChange': 'Before → after',
  'activity.action.addPhone': 'Phone added',
  'activity.action.updatePhone': 'Phone number changed',
  'activity.action.remove': 'Method removed',
  'activity.action.setDefault': 'Default changed',
  'activity.action.registered': 'New method registered',
  'activity.nothing': 'nothing',
  'activity.change': '{before} → {after}',
  'activity.export': 'Export',
  'activity.exported#one': 'Exported {count} entry to {path}',
  'activity.exported#other': 'Exported {count} entries to {path}',
  'activity.csv.time': 'Time (UTC)',
  'activity.csv.account': 'Account',
  'activity.csv.action': 'Action',
  'activity.csv.before': 'Before',
  'activity.csv.after': 'After',

  // The sign-in's browser page, served by Rust: its copy in
  // mfa-core/src/language.rs must match (tests/loopback_words.rs).
  'browser.signedIn.title': 'Signed in',
  'browser.signedIn.body': 'Signed in, you can close this tab and return to MFA Assistant.',
  'browser.failed.title': 'Sign-in did not complete',
  'browser.failed.body': 'Sign-in did not complete. You can close this tab; MFA Assistant explains what to do next.',
  'browser.notFound.title': 'Not found',
  'browser.notFound.body': 'Nothing here.',

  'language.label': 'Language',
  'language.system': 'Same as the system',

  // Locked out: Entra account recovery (an ID and a face check), offered
  // before the helpdesk request where the organisation turned it on.
  'recovery.title': 'Recover your account with your ID',
  'recovery.intro': 'Your organisation lets you get back in yourself: Microsoft checks a government-issued photo ID and your face, then gives you a Temporary Access Pass to add new sign-in methods. It usually takes a few minutes, with no call to the helpdesk.',
  'recovery.prepareTitle': 'Have these ready',
  'recovery.prepareId': 'A valid government-issued photo ID, such as a passport or a driving licence.',
  'recovery.prepareCamera': 'A phone or computer with a camera, for the face check.',
  'recovery.prepareName': 'Your first and last name on the ID must be exactly the first and last name of your work account, letter for letter. Check how Outlook or Teams shows your name: if it differs (a nickname, a missing middle part, a new surname), recovery will refuse, and your helpdesk can help instead.',
  'recovery.lastAccount': 'The name of {upn}, as it was when you last signed in on this computer:',
  'recovery.how': 'Select “Start account recovery”: your browser opens Microsoft’s pages, which lead you through the check. Microsoft may first ask for your work account and offer recovery when you can’t complete the sign-in.',
  'recovery.start': 'Start account recovery',
  'recovery.opened': 'Account recovery is open in your browser. When it gives you a Temporary Access Pass, come back and choose “I have a Temporary Access Pass”. If it refuses, for example because the names differ, request an admin reset below.',
  'recovery.haveTap': 'I have a Temporary Access Pass',
  'recovery.fallbackTitle': 'If recovery doesn’t work for you',
  'recovery.fallback': 'Your helpdesk can reset your sign-in methods instead, after checking who you are.',
  'settings.key.account_recovery': 'Entra account recovery (ID and face check) turned on',

  'action.tryAgain': 'Try again',
  'action.signInAgain': 'Sign in again',
  'action.deviceCode': 'Sign in on another device',
  'action.dismiss': 'Dismiss',
} as const;

/** Keys of the English catalogue (every catalogue has exactly these). */
type BaseKey = keyof typeof en;

/** Keys with plural forms, without their `#one`/`#other` suffix. */
export type PluralKey = {
  [K in BaseKey]: K extends `${infer Base}#other` ? Base : never;
}[BaseKey];

/** The CLDR categories beyond "one" and "other" a language may add. */
export type ExtraPluralCategory = 'zero' | 'two' | 'few' | 'many';

/** A language's words: every English key, plus the extra plural forms its rule needs. */
export type Catalogue = { readonly [K in BaseKey]: string } & {
  readonly [K in `${PluralKey}#${ExtraPluralCategory}`]?: string;
};
export type MessageKey = BaseKey;
export type Params = Readonly<Record<string, string | number>>;

interface Active {
  readonly language: Language;
  readonly catalogue: Catalogue;
  readonly fixed: boolean;
}

// The UI's only module state (see the top of this file and
// no-module-state.test.ts, which allows exactly this line): English until
// main.ts fixes the window's language, once, before start().
let active: Active = { language: 'en', catalogue: en, fixed: false };

/**
 * Fixes the window's language. Called once, by main.ts, before `start()`;
 * a second call throws, so no screen can be half in one language and half
 * in another (changing the language reloads the window).
 */
export function useLanguage(language: Language, catalogue: Catalogue): void {
  if (active.fixed) throw new Error(`the window's language is already ${active.language}`);
  active = { language, catalogue, fixed: true };
}

/** The window's language. */
export function currentLanguage(): Language {
  return active.language;
}

/** The catalogue's words for `text`'s `{name}` placeholders; numbers as the language writes them. */
export function interpolate(text: string, params?: Params, language: Language = active.language): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(language, value) : String(value);
  });
}

/** The message for `key`, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(active.catalogue[key], params);
}

/** The plural form of `key` for `count`; `{count}` is filled in too. */
export function tn(key: PluralKey, count: number, params?: Params): string {
  return interpolate(pluralTemplate(key, count), { ...params, count });
}

/**
 * The form of `key` for `count` in `catalogue` under `language`'s CLDR rule
 * (language.ts, written out: `Intl.PluralRules` cost the web process about
 * 1.2 MB). `#other` only if the catalogue lacks the form, which
 * catalogues.test.ts forbids for every category the rule can give.
 */
export function pluralForm(catalogue: Catalogue, language: Language, key: PluralKey, count: number): string {
  const forms = catalogue as unknown as Readonly<Record<string, string | undefined>>;
  return forms[`${key}#${pluralCategory(language, count)}`] ?? catalogue[`${key}#other` as MessageKey];
}

function pluralTemplate(key: PluralKey, count: number): string {
  return pluralForm(active.catalogue, active.language, key, count);
}

/**
 * The message split around its placeholders, so the caller can put an
 * element (e.g. a number with its own test id) where `{name}` stands.
 * Strings are literal text; `{ param }` marks a placeholder.
 */
export type Part = string | { param: string };

export function parts(template: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const index = m.index ?? 0;
    if (index > last) out.push(template.slice(last, index));
    out.push({ param: m[1] ?? '' });
    last = index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

/** Like `tn`, split around its placeholders (see `parts`). */
export function tnParts(key: PluralKey, count: number): Part[] {
  return parts(pluralTemplate(key, count));
}

/**
 * The message for a key built at run time from a value Rust sent (a step
 * name, a concern), or null when this catalogue has no words for it yet.
 */
export function tIf(key: string, params?: Params): string | null {
  const forms = active.catalogue as unknown as Readonly<Record<string, string | undefined>>;
  const text = Object.prototype.hasOwnProperty.call(forms, key) ? forms[key] : undefined;
  return text === undefined ? null : interpolate(text, params);
}
