import './base.css';
import './room.css';
