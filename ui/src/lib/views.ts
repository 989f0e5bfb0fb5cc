// The app's views, in the order of the navigation.
export type View = 'dashboard' | 'secrets' | 'transfer' | 'remote' | 'trash' | 'audit' | 'settings';
export const VIEWS: [View, string][] = [['dashboard', 'Dashboard'], ['secrets', 'Secrets'], ['transfer', 'Import / Export'], ['remote', 'HashiCorp Vault'], ['trash', 'Trash'], ['audit', 'Audit log'], ['settings', 'Settings']];
