// The app's views, in the order of the navigation.
export type View = 'dashboard' | 'secrets' | 'transfer' | 'projects' | 'remote' | 'trash' | 'audit' | 'report' | 'settings';
export const VIEWS: [View, string][] = [['dashboard', 'Dashboard'], ['secrets', 'Secrets'], ['transfer', 'Import / Export'], ['projects', 'Projects'], ['remote', 'HashiCorp Vault'], ['trash', 'Trash'], ['audit', 'Audit log'], ['report', 'Report'], ['settings', 'Settings']];
